import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyTree } from '../../pipelines/assemble/emptyTree.ts';
import { evolveTree } from '../../pipelines/assemble/evolveTree.ts';
import { pairCountOf } from '../../pipelines/assemble/pairCountOf.ts';
import { pairDecisionsOf } from '../../pipelines/assemble/pairDecisionsOf.ts';
import type { Tree } from '../../pipelines/assemble/tree.ts';
import { growLogArb, logArb } from './randomTrees.ts';

describe('pairCountOf', () => {
  it('is the length of pairDecisionsOf after every event of random logs (plain and grow-shaped)', () => {
    let positive = 0;
    for (const arb of [logArb, growLogArb]) {
      fc.assert(
        fc.property(arb, ({ log }) => {
          const trees = new Map<string, Tree>();
          for (const event of log) {
            const tree = evolveTree(trees.get(event.treeId) ?? emptyTree(event.treeId), event);
            trees.set(event.treeId, tree);
            const count = pairCountOf(tree);
            if (count > 0) positive++;
            expect(count).toBe(pairDecisionsOf(tree).length);
          }
        }),
        { numRuns: 200 },
      );
    }
    // The property saw trees with pairs, not only empty ones.
    expect(positive).toBeGreaterThan(100);
  });
});
