import type { PreferencePair } from '../../schemas/types.ts';
import { historyOf } from './historyOf.ts';
import type { PairDecision } from './pairDecisionsOf.ts';
import { parentIdOf } from './parentIdOf.ts';
import { rowIdOf } from './rowIdOf.ts';
import type { Tree } from './tree.ts';

/** Lays out one decided pair as a PreferencePair row (pure). */
export function pairOf(tree: Tree, d: PairDecision): PreferencePair {
  const instruction = tree.opened!.instruction;
  return {
    id: rowIdOf(tree, 'pair', d.turn, d.ordinal),
    parentId: parentIdOf(tree),
    treeId: tree.treeId,
    task: instruction.task,
    dataset: instruction.dataset,
    turn: d.turn,
    trajectory: historyOf(instruction.instruction, d.ancestors),
    chosen: d.chosen.executed.action,
    rejected: d.rejected.executed.action,
    chosenNodeId: d.chosen.nodeId,
    rejectedNodeId: d.rejected.nodeId,
    chosenModel: d.chosen.sampled.model,
    rejectedModel: d.rejected.sampled.model,
  };
}
