import type { PreferencePair } from '../../schemas/types.ts';
import { pairDecisionsOf } from './pairDecisionsOf.ts';
import { pairOf } from './pairOf.ts';
import type { Tree } from './tree.ts';

/**
 * The preference pairs of a tree so far, in decision order (pure): at each expanded node (and the root), the
 * history so far, chosen = a correct action of the next turn, rejected = an incorrect one: the k-th correct with the
 * k-th incorrect, so usually the first of each (rules in pairDecisionsOf). Stable under growth: a longer prefix of the same tree's events only appends pairs.
 */
export function pairsOf(tree: Tree): PreferencePair[] {
  return pairDecisionsOf(tree).map((d) => pairOf(tree, d));
}
