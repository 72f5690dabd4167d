import type { SftExample } from '../../schemas/types.ts';
import { sftDecisionsOf } from './sftDecisionsOf.ts';
import { sftRowOf } from './sftRowOf.ts';
import type { Tree } from './tree.ts';

/**
 * The SFT rows of a tree so far (pure): every valid correct action, at any turn, with its instruction and without
 * the history, as the paper does. In decision order; append-only as the tree grows.
 */
export function sftOf(tree: Tree): SftExample[] {
  return sftDecisionsOf(tree).map((d) => sftRowOf(tree, d));
}
