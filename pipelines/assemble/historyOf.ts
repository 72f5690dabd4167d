import type { Utterance } from '../../schemas/types.ts';
import { feedbackOf } from './feedbackOf.ts';
import type { ActionNode } from './tree.ts';

/**
 * The two utterances of each expanded node, made once per node object (nodes are immutable: a changed node is a new
 * object, so a stale entry cannot be met): every later pair of the tree shares them, and exports escape each once
 * (jsonOfRow memoises by utterance). Without it a tree's feedback strings were rebuilt and re-escaped for every pair
 * and turn below them (bench/assemble.ts profile, bench/RESULTS.md 2026-12-01).
 */
const turnsOf = new WeakMap<ActionNode, readonly [Utterance, Utterance]>();
let lastInstruction: string | null = null;
let lastFirst: Utterance | null = null;

/**
 * The trajectory before a turn: the instruction as the first user message, then for each earlier expanded node its
 * action (assistant) and its feedback (user: `Out: …\nYour answer is wrong.\n<critique>`). The utterance objects are
 * shared between the histories of a tree (read-only).
 */
export function historyOf(instruction: string, ancestors: readonly ActionNode[]): Utterance[] {
  if (instruction !== lastInstruction || lastFirst === null) {
    lastInstruction = instruction;
    lastFirst = { from: 'user', value: instruction };
  }
  const history: Utterance[] = [lastFirst];
  for (const node of ancestors) {
    let turn = turnsOf.get(node);
    if (turn === undefined) {
      turn = [
        { from: 'assistant', value: node.executed?.action ?? '' },
        { from: 'user', value: feedbackOf(node) },
      ];
      turnsOf.set(node, turn);
    }
    history.push(turn[0], turn[1]);
  }
  return history;
}
