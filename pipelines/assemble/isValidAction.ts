import type { ActionNode } from './tree.ts';

/**
 * True when a node may be chosen or rejected: sampled, executed, judged, with code that passed the syntax check and
 * no failure (a malformed or empty LLM answer). The paper drops actions that fail the syntax check.
 */
export function isValidAction(node: ActionNode): boolean {
  return (
    node.completeAt !== null &&
    node.sampled !== null &&
    node.executed !== null &&
    node.verdict !== null &&
    node.executed.syntaxOk &&
    node.executed.failure === null
  );
}
