import type { TreeEvent } from '../../schemas/types.ts';
import { emptyTree } from '../assemble/emptyTree.ts';
import { evolveTree } from '../assemble/evolveTree.ts';
import type { ActionNode, Tree } from '../assemble/tree.ts';

/** What the log says about one action node: assemble's ActionNode, the one model of a node. */
export type GrowNode = ActionNode;

/**
 * The grower's view of one tree: assemble's Tree (folded by the same evolveTree) plus the one thing only a writer
 * needs, the seq of its next event. A closed tree holds no nodes, and no instruction unless `reopenable`.
 */
export interface GrowTree extends Tree {
  /** seq of the next event this tree gets: one past the highest seen, ignored events included. */
  readonly nextSeq: number;
}

/** A tree nothing is known of yet. */
export const emptyGrowTree = (treeId: string): GrowTree => ({ ...emptyTree(treeId), nextSeq: 0 });

const NO_NODES: ReadonlyMap<string, ActionNode> = new Map();

/**
 * Folds one event into the grower's view of a tree (pure): assemble's evolveTree — so the grower reads every fact,
 * repeat and reopen as the exports do — plus `nextSeq`. When the tree closes its nodes are dropped, and its
 * instruction unless it is reopenable: the grower never needs them again (whether it may reopen is decided at the
 * close, Tree.reopenable), and a long log stays cheap to hold. An event that changes nothing returns the same tree.
 */
export function evolveGrowTree(tree: GrowTree, event: TreeEvent): GrowTree {
  if (event.treeId !== tree.treeId) return tree;
  const nextSeq = Math.max(tree.nextSeq, event.seq + 1);
  const next = evolveTree(tree, event);
  if (next.ignored !== tree.ignored) return nextSeq === tree.nextSeq ? tree : { ...tree, nextSeq };
  if (next.closed !== null && tree.closed === null)
    return { ...next, nodes: NO_NODES, opened: next.reopenable ? next.opened : null, nextSeq };
  return { ...next, nextSeq };
}
