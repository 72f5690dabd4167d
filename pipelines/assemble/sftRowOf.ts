import type { SftExample } from '../../schemas/types.ts';
import { rowHeadOf } from './rowHeadOf.ts';
import type { SftDecision } from './sftDecisionsOf.ts';
import type { Tree } from './tree.ts';

/** Lays out one decided correct action as an SftExample row: the instruction and the action, history dropped. */
export function sftRowOf(tree: Tree, d: SftDecision): SftExample {
  const instruction = tree.opened!.instruction;
  return {
    ...rowHeadOf(tree, 'sft', d.turn, d.ordinal),
    nodeId: d.node.nodeId,
    model: d.node.sampled.model,
    instruction: instruction.instruction,
    response: d.node.executed.action,
  };
}
