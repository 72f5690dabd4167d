import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import { pairsOf } from '../../pipelines/assemble/pairsOf.ts';
import { rmPairsOf } from '../../pipelines/assemble/rmPairsOf.ts';
import { sftOf } from '../../pipelines/assemble/sftOf.ts';
import type { Tree } from '../../pipelines/assemble/tree.ts';
import { treeOf } from '../../pipelines/assemble/treeOf.ts';
import { createGrowStatsRecorder } from '../../pipelines/grow/growStatsRecorder.ts';
import { emptyGrowTree, evolveGrowTree, type GrowTree } from '../../pipelines/grow/growTree.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { growLogArb } from './randomTrees.ts';

/** The grower's state after a log, folded as createGrower loads it. */
function growStateOf(log: readonly TreeEvent[]): Map<string, GrowTree> {
  const state = new Map<string, GrowTree>();
  for (const e of log) state.set(e.treeId, evolveGrowTree(state.get(e.treeId) ?? emptyGrowTree(e.treeId), e));
  return state;
}

/** What the grower's view must agree with assemble's on: all of it while open; at close, what a writer keeps. */
function growView(tree: Tree) {
  if (tree.closed === null) {
    return {
      open: true,
      opened: tree.opened,
      nodes: [...tree.nodes.values()],
      generation: tree.generation,
      since: tree.since,
    };
  }
  return {
    open: false,
    closed: tree.closed,
    reopenable: tree.reopenable,
    opened: tree.reopenable ? tree.opened : null,
    generation: tree.generation,
    since: tree.since,
  };
}

/** Pairs the grower's stats count for an open tree: every turn's siblings, k-th correct with k-th incorrect. */
function grownPairs(tree: GrowTree): number {
  const stats = createGrowStatsRecorder(0);
  const turns = new Map<string, { parentId: string | null; turn: number }>();
  for (const n of tree.nodes.values())
    if (n.sampled) turns.set(`${n.sampled.parentId}/${n.sampled.turn}`, n.sampled);
  for (const { parentId, turn } of turns.values()) stats.turnDecided(tree, parentId, turn);
  return stats.snapshot().pairs;
}

describe('one tree model: every reader folds the same history to the same tree', () => {
  it('assemble, its pure core and the grower agree on every tree of any interleaved, repeated log', async () => {
    await fc.assert(
      fc.asyncProperty(growLogArb, async ({ trees, log }) => {
        const grown = growStateOf(log);
        const rows = await lastValueFrom(from(log).pipe(assemble(), toArray()));
        for (const events of trees) {
          const treeId = events[0].treeId;
          const tree = treeOf(treeId, events);
          const mine = grown.get(treeId)!;
          expect(growView(mine)).toEqual(growView(tree));
          expect(mine.nextSeq).toBe(events.length);
          if (tree.closed !== null) expect(mine.nodes.size).toBe(0);
          const kinds = (kind: string) =>
            rows.filter((r) => r.row.treeId === treeId && r.kind === kind).map((r) => r.row);
          expect(kinds('pair')).toEqual(pairsOf(tree));
          expect(kinds('sft')).toEqual(sftOf(tree));
          expect(kinds('rm')).toEqual(rmPairsOf(tree));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('agree after every prefix of a tree, and the grower counts the pairs assemble decides', () => {
    let compared = 0;
    fc.assert(
      fc.property(growLogArb, ({ trees }) => {
        for (const events of trees) {
          const treeId = events[0].treeId;
          let mine = emptyGrowTree(treeId);
          for (let n = 1; n <= events.length; n++) {
            mine = evolveGrowTree(mine, events[n - 1]);
            const tree = treeOf(treeId, events.slice(0, n));
            expect(growView(mine)).toEqual(growView(tree));
            if (tree.closed === null) {
              expect(grownPairs(mine)).toBe(pairsOf(tree).length);
              compared++;
            }
          }
        }
      }),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(0);
  });

  it('keeps the grower facts assemble does not read: an unanswered prompt, answers until judged, rejected critiques', () => {
    fc.assert(
      fc.property(growLogArb, ({ trees }) => {
        for (const events of trees) {
          let mine = emptyGrowTree(events[0].treeId);
          for (const e of events) {
            const before = mine;
            mine = evolveGrowTree(mine, e);
            const p = e.payload;
            if (mine.closed !== null || before.closed !== null || e.seq < before.since) continue;
            if (p.kind === 'StrategySampled')
              expect(mine.nodes.get(p.nodeId)?.sampled?.prompt).toEqual(p.prompt);
            if (p.kind === 'AnswerReceived') {
              expect(mine.nodes.get(p.nodeId)?.answered?.text).toBe(p.text);
              expect(mine.nodes.get(p.nodeId)?.sampled?.prompt).toEqual([]);
            }
            if (p.kind === 'TurnExecuted') expect(mine.nodes.get(p.nodeId)?.answered?.text ?? '').toBe('');
            if (p.kind === 'CritiqueRejected')
              expect(mine.nodes.get(p.nodeId)?.rejected.map((r) => r.attempt)).toContain(p.attempt);
            // Bookkeeping decides no row: the tree's clock stands still.
            if (p.kind === 'AnswerReceived' || p.kind === 'CritiqueRejected')
              expect(mine.applied).toBe(before.applied);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
