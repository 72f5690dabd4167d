import type { SftExample } from '../../schemas/types.ts';
import { parentIdOf } from './parentIdOf.ts';
import { rowIdOf } from './rowIdOf.ts';
import type { SftDecision } from './sftDecisionsOf.ts';
import type { Tree } from './tree.ts';

/** Lays out one decided correct action as an SftExample row: the instruction and the action, history dropped. */
export function sftRowOf(tree: Tree, d: SftDecision): SftExample {
  const instruction = tree.opened!.instruction;
  return {
    id: rowIdOf(tree, 'sft', d.turn, d.ordinal),
    parentId: parentIdOf(tree),
    treeId: tree.treeId,
    task: instruction.task,
    dataset: instruction.dataset,
    turn: d.turn,
    nodeId: d.node.nodeId,
    model: d.node.sampled.model,
    instruction: instruction.instruction,
    response: d.node.executed.action,
  };
}
