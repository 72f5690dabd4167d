import { ancestorsOf } from './ancestorsOf.ts';
import { isValidAction } from './isValidAction.ts';
import type { Tree } from './tree.ts';

const parents: (string | null)[] = [];
const correct: number[] = [];
const incorrect: number[] = [];

/**
 * How many pairs pairDecisionsOf(tree) lists, without building them: per parent whose history is known, the
 * smaller of its valid correct and incorrect children. decideRows asks this first: of the 43,893 decisive events
 * of the 10K-tree bench log after a tree's first correct and incorrect action, 12,888 decided a pair (a tree
 * closing, an invalid or unmatched action decide none), and building every decision cost ~4 µs a call.
 */
export function pairCountOf(tree: Tree): number {
  if (tree.opened === null || tree.openedAt === null) return 0;
  // A tree has a few groups of siblings (one per expanded node and the root): arrays searched linearly, reused
  // from call to call (the function runs to completion before another call; nothing escapes it).
  parents.length = 0;
  correct.length = 0;
  incorrect.length = 0;
  for (const node of tree.nodes.values()) {
    if (!isValidAction(node)) continue;
    const parentId = node.sampled.parentId;
    let g = parents.indexOf(parentId);
    if (g < 0) {
      g = parents.length;
      parents.push(parentId);
      correct.push(0);
      incorrect.push(0);
    }
    if (node.verdict.correct) correct[g]++;
    else incorrect[g]++;
  }
  let count = 0;
  for (let g = 0; g < parents.length; g++) {
    const n = Math.min(correct[g], incorrect[g]);
    if (n > 0 && ancestorsOf(tree, parents[g]) !== null) count += n;
  }
  return count;
}
