import type { PreferencePair } from '../../schemas/types.ts';
import { historyOf } from './historyOf.ts';
import type { PairDecision } from './pairDecisionsOf.ts';
import { rowHeadOf } from './rowHeadOf.ts';
import type { Tree } from './tree.ts';

/** Lays out one decided pair as a PreferencePair row (pure). */
export function pairOf(tree: Tree, d: PairDecision): PreferencePair {
  const instruction = tree.opened!.instruction;
  return {
    ...rowHeadOf(tree, 'pair', d.turn, d.ordinal),
    trajectory: historyOf(instruction.instruction, d.ancestors),
    chosen: d.chosen.executed.action,
    rejected: d.rejected.executed.action,
    chosenNodeId: d.chosen.nodeId,
    rejectedNodeId: d.rejected.nodeId,
    chosenModel: d.chosen.sampled.model,
    rejectedModel: d.rejected.sampled.model,
  };
}
