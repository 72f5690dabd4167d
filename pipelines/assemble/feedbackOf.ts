import type { ActionNode } from './tree.ts';

/**
 * Critic model name of imported feedback turns that did not read `Out: …\nYour answer is wrong.\n…`: their critique
 * text is the whole user message, kept verbatim so a re-export gives the same bytes back.
 */
export const VERBATIM_CRITIC = 'ultrainteract:verbatim';

/**
 * The user turn that follows an expanded (incorrect, critiqued) action in the history, as UltraInteract writes it:
 * `Out: <observation>\nYour answer is wrong.\n<critique>`. The `Out:` line is left out when the action ran no code
 * and observed nothing (chain-of-thought answers).
 */
export function feedbackOf(node: ActionNode): string {
  const critique = node.critique?.critique ?? '';
  if (node.critique?.model === VERBATIM_CRITIC) return critique;
  const executed = node.executed;
  const out =
    executed && (executed.code !== null || executed.observation !== '')
      ? `Out: ${executed.observation}\n`
      : '';
  return `${out}Your answer is wrong.\n${critique}`;
}
