import type { Task } from '../../schemas/types.ts';
import { parentIdOf } from './parentIdOf.ts';
import { rowIdOf } from './rowIdOf.ts';
import type { Tree } from './tree.ts';

/** The fields every row derived from a tree starts with: its id, the parent id, the tree, task, dataset and turn. */
export function rowHeadOf(
  tree: Tree,
  kind: 'pair' | 'sft',
  turn: number,
  ordinal: number,
): { id: string; parentId: string; treeId: string; task: Task; dataset: string; turn: number } {
  const instruction = tree.opened!.instruction;
  return {
    id: rowIdOf(tree, kind, turn, ordinal),
    parentId: parentIdOf(tree),
    treeId: tree.treeId,
    task: instruction.task,
    dataset: instruction.dataset,
    turn,
  };
}
