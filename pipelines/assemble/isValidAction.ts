import type { StrategySampled, TurnExecuted, VerdictReached } from '../../schemas/types.ts';
import type { ActionNode } from './tree.ts';

/** A node isValidAction admits: sampled, executed and judged, so those facts are there to read. */
export type ValidAction = ActionNode & {
  readonly sampled: StrategySampled;
  readonly executed: TurnExecuted;
  readonly verdict: VerdictReached;
  readonly completeAt: number;
};

/**
 * True when a node may be chosen or rejected: sampled, executed, judged, with code that passed the syntax check and
 * no failure (a malformed or empty LLM answer). The paper drops actions that fail the syntax check. The one rule of
 * validity: assemble's rows, grow's next step and the analytics sink's `valid` column all read it.
 */
export function isValidAction(node: ActionNode): node is ValidAction {
  return (
    node.completeAt !== null &&
    node.sampled !== null &&
    node.executed !== null &&
    node.verdict !== null &&
    node.executed.syntaxOk &&
    node.executed.failure === null
  );
}
