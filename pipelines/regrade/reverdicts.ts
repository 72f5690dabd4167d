import type { VerdictReached } from '../../schemas/types.ts';

/** The newest re-verdict of a node and how many the log holds for it. */
export interface NodeReverdict {
  readonly verdict: VerdictReached;
  readonly count: number;
}

/**
 * The re-verdicts on a log: per node (key `treeId/nodeId`) the newest, and every re-verdict event id. Memory
 * follows the number of nodes a regrade changed, not the log.
 */
export interface Reverdicts {
  readonly byNode: ReadonlyMap<string, NodeReverdict>;
  readonly ids: ReadonlySet<string>;
  /** Grader versions (VerdictReached.graderVersion) of the newest re-verdicts, sorted. */
  readonly versions: readonly string[];
}
