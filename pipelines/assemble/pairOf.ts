import type { PreferencePair } from '../../schemas/types.ts';
import { historyOf } from './historyOf.ts';
import type { PairDecision } from './pairDecisionsOf.ts';
import { rowHeadOf } from './rowHeadOf.ts';
import type { Tree } from './tree.ts';

/**
 * Lays out one decided pair as a PreferencePair row (pure). The head's fields are copied one by one, not spread:
 * `{ ...head, … }` into a 14-field literal cost ~13 µs a row against ~0.05 µs (V8 20, micro-benchmark; pairOf was
 * 86 ms of self time for 12,888 pairs in the assemble profile, bench/RESULTS.md 2026-12-01 18:50Z).
 */
export function pairOf(tree: Tree, d: PairDecision): PreferencePair {
  const instruction = tree.opened!.instruction;
  const head = rowHeadOf(tree, 'pair', d.turn, d.ordinal);
  return {
    id: head.id,
    parentId: head.parentId,
    treeId: head.treeId,
    task: head.task,
    dataset: head.dataset,
    turn: head.turn,
    trajectory: historyOf(instruction.instruction, d.ancestors),
    chosen: d.chosen.executed.action,
    rejected: d.rejected.executed.action,
    chosenNodeId: d.chosen.nodeId,
    rejectedNodeId: d.rejected.nodeId,
    chosenModel: d.chosen.sampled.model,
    rejectedModel: d.rejected.sampled.model,
  };
}
