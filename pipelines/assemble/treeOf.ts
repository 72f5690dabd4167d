import type { TreeEvent } from '../../schemas/types.ts';
import { emptyTree } from './emptyTree.ts';
import { evolveTree } from './evolveTree.ts';
import type { Tree } from './tree.ts';

/** Folds one tree's events (in log order) into its tree (pure). */
export function treeOf(treeId: string, events: Iterable<TreeEvent>): Tree {
  let tree = emptyTree(treeId);
  for (const e of events) tree = evolveTree(tree, e);
  return tree;
}
