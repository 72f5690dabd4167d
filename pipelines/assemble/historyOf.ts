import type { Utterance } from '../../schemas/types.ts';
import { feedbackOf } from './feedbackOf.ts';
import type { ActionNode } from './tree.ts';

/**
 * The trajectory before a turn: the instruction as the first user message, then for each earlier expanded node its
 * action (assistant) and its feedback (user: `Out: …\nYour answer is wrong.\n<critique>`).
 */
export function historyOf(instruction: string, ancestors: readonly ActionNode[]): Utterance[] {
  const history: Utterance[] = [{ from: 'user', value: instruction }];
  for (const node of ancestors) {
    history.push({ from: 'assistant', value: node.executed?.action ?? '' });
    history.push({ from: 'user', value: feedbackOf(node) });
  }
  return history;
}
