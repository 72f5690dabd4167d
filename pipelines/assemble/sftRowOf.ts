import type { SftExample } from '../../schemas/types.ts';
import { rowHeadOf } from './rowHeadOf.ts';
import type { SftDecision } from './sftDecisionsOf.ts';
import type { Tree } from './tree.ts';

/**
 * Lays out one decided correct action as an SftExample row: the instruction and the action, history dropped. The
 * head's fields are copied one by one, not spread (see pairOf: the spread cost microseconds a row).
 */
export function sftRowOf(tree: Tree, d: SftDecision): SftExample {
  const instruction = tree.opened!.instruction;
  const head = rowHeadOf(tree, 'sft', d.turn, d.ordinal);
  return {
    id: head.id,
    parentId: head.parentId,
    treeId: head.treeId,
    task: head.task,
    dataset: head.dataset,
    turn: head.turn,
    nodeId: d.node.nodeId,
    model: d.node.sampled.model,
    instruction: instruction.instruction,
    response: d.node.executed.action,
  };
}
