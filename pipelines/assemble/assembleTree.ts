import { type OperatorFunction, scan } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import { emptyTree } from './emptyTree.ts';
import { evolveTree } from './evolveTree.ts';
import type { Tree } from './tree.ts';

/** Folds one tree's events into its successive trees: `scan` over the pure evolveTree. */
export function assembleTree(treeId: string): OperatorFunction<TreeEvent, Tree> {
  // Each state is kept downstream (emitDecided), so the nodes map is copied: no ownsNodes.
  return scan((tree: Tree, event: TreeEvent) => evolveTree(tree, event), emptyTree(treeId));
}
