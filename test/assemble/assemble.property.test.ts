import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { pairsOf } from '../../pipelines/assemble/pairsOf.ts';
import { rmPairsOf } from '../../pipelines/assemble/rmPairsOf.ts';
import { sftOf } from '../../pipelines/assemble/sftOf.ts';
import { treeOf } from '../../pipelines/assemble/treeOf.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { logArb } from './randomTrees.ts';

const run = (log: readonly TreeEvent[]) => lastValueFrom(from(log).pipe(assemble(), toArray()));

/** Rows per tree and kind, in emission order. */
function byTreeAndKind(rows: readonly Assembled[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const r of rows) {
    const key = `${r.row.treeId}/${r.kind}`;
    out.set(key, [...(out.get(key) ?? []), r.row]);
  }
  return out;
}

/** What the pure core says each tree gives, folded from its events alone. */
function expected(trees: readonly (readonly TreeEvent[])[]): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const events of trees) {
    const tree = treeOf(events[0].treeId, events);
    const put = (kind: string, rows: unknown[]) => rows.length && out.set(`${tree.treeId}/${kind}`, rows);
    put('pair', pairsOf(tree));
    put('sft', sftOf(tree));
    put('rm', rmPairsOf(tree));
  }
  return out;
}

describe('assemble (properties)', () => {
  it('any interleaving of trees and any repetition of events give the pure core rows, each once', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, async ({ trees, log }) => {
        const rows = await run(log);
        expect(byTreeAndKind(rows)).toEqual(expected(trees));
      }),
      { numRuns: 300 },
    );
  });

  it('two different interleavings of the same trees give the same rows', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.array(fc.nat()), async ({ trees, log }, choices) => {
        const other = [...log].sort((a, b) => {
          const ka = (a.treeId.charCodeAt(3) * 31 + (choices[0] ?? 0)) % 7;
          const kb = (b.treeId.charCodeAt(3) * 31 + (choices[0] ?? 0)) % 7;
          return ka - kb; // stable: keeps each tree's order, moves whole trees around
        });
        expect(byTreeAndKind(await run(other))).toEqual(byTreeAndKind(await run(log)));
        expect(trees.length).toBeGreaterThan(0);
      }),
      { numRuns: 100 },
    );
  });

  it('the file log backend gives the same rows as the events in memory', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, async ({ log }) => {
        const dir = await mkdtemp(join(tmpdir(), 'arboretum-assemble-'));
        const eventLog = createFileEventLog({ dir, fsync: 'never', onRecovered: () => {} });
        try {
          await eventLog.append(
            topics.treeEvents,
            log.map((value) => ({ value })),
          );
          const replayed = await lastValueFrom(
            eventLog.read(topics.treeEvents).pipe(
              map((r) => r.value),
              assemble(),
              toArray(),
            ),
          );
          expect(replayed).toEqual(await run(log));
        } finally {
          await eventLog.close();
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 15 },
    );
  });
});
