import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import { bucketOf } from '../../pipelines/export/bucketOf.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { jsonOfRow } from '../../pipelines/export/jsonOfRow.ts';
import { lineLengthsOf } from '../../pipelines/export/lineLengthsOf.ts';
import { messagesJson } from '../../pipelines/export/messagesJson.ts';
import { rowLengthsOf } from '../../pipelines/export/rowLengthsOf.ts';
import { createSharedRows } from '../../pipelines/export/sharedRows.ts';
import { createTokenCounter } from '../../pipelines/export/tokenCounter.ts';
import { arbitraryAssembled } from '../support/arbitraryAssembled.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-shared-rows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Texts with quotes, escapes, tabs, newlines, U+2028, lone surrogates; ids from a small alphabet, so rows of one
// tree and trees sharing a bucket are common.
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constant('a"b\\c\n\t\u2028é'));
const treeId = fc.stringMatching(/^[0-9a-f]{1,3}$/);
const rowId = fc.stringMatching(/^[a-z]{1,3}$/);
const assembled = arbitraryAssembled({ text, treeId, rowId, maxTurns: 4 });

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Each row of `format`'s kind once (the first of its repeats). */
function rowsOf(rows: readonly Assembled[], name: string): Assembled[] {
  const format = exportFormats.get(name)!;
  const seen = new Set<string>();
  return rows.filter((a) => {
    const k = `${a.row.treeId}\t${a.row.id}`;
    if (a.kind !== format.kind || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The lines of `format` in the README's orders (canonical: by bucket of the tree id, then tree id and row id),
 * from each format's own `lines` (the reference layout).
 */
function expected(rows: readonly Assembled[], name: string, seed: number, buckets: number): string[] {
  const format = exportFormats.get(name)!;
  const mine = rowsOf(rows, name);
  if (!format.spread) {
    return mine
      .map((a) => ({
        bucket: bucketOf(a.row.treeId, buckets),
        key: `${a.row.treeId}\t${a.row.id}\t`,
        line: format.lines(a.row)[0],
      }))
      .sort((x, y) => x.bucket - y.bucket || cmp(x.key, y.key))
      .map((x) => x.line);
  }
  // Grouped by the seeded hash of the prompt, ranked by the seeded hash of row id and line, then written column
  // by column of a table as wide as the largest group.
  const grouped = mine
    .flatMap((a) =>
      format.lines(a.row).map((line, i) => ({
        group: sha(`${seed}\n${messagesJson(jsonOfRow(a.row).trajectory)}`),
        rank: sha(`${seed}\n${a.row.id}\n${i}`),
        line,
      })),
    )
    .sort((x, y) => cmp(x.group, y.group) || cmp(x.rank, y.rank));
  const sizes = new Map<string, number>();
  for (const g of grouped) sizes.set(g.group, (sizes.get(g.group) ?? 0) + 1);
  const width = Math.max(1, ...sizes.values());
  const out: string[] = [];
  for (let c = 0; c < width; c++) for (let k = c; k < grouped.length; k += width) out.push(grouped[k].line);
  return out;
}

describe('createSharedRows', () => {
  it("writes every format's lines from one spill, byte for byte its own `lines`, in canonical or spread order", async () => {
    const names = [...exportFormats.keys()];
    const counter = createTokenCounter();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(assembled, { maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(1, 4),
        // Rows in memory (the default budget), all in files (none), or some of each (a budget of a few blocks).
        fc.constantFrom('memory', 'files', 'both'),
        async (drawn, seed, buckets, held) => {
          // Some rows come twice (a replayed decision): written once.
          const rows = [...drawn, ...drawn.filter((_, i) => i % 3 === 0)];
          const folder = join(dir, `run${run++}`);
          const shared = await createSharedRows({
            tempDir: dir,
            buckets,
            seed,
            bufferBytes: 256,
            // Outputs written in whole pages (directFile) a few at a time.
            outputBufferBytes: 8192,
            ...(held === 'files'
              ? { memoryBytes: 0 }
              : held === 'both'
                ? { memoryBytes: 3 * 512, blockBytes: 512 }
                : {}),
            outputs: names.map((name) => ({
              format: exportFormats.get(name)!,
              path: join(dir, `${folder.slice(dir.length + 1)}-${name}.jsonl`),
            })),
          });
          try {
            for (const a of rows) shared.add(a, rowLengthsOf(a.kind, a.row, counter));
            const done = await shared.finish();
            // Spill files only past the budget: none while the rows fit in memory, some when none does (a
            // bucket's file is written by the time it is read back; trl-kto keeps them to the end).
            const spilled = (await readdir(dir)).filter((f) => f.startsWith('arboretum-rows-'));
            expect(spilled).toHaveLength(1);
            const files = (await readdir(join(dir, spilled[0]))).length;
            if (held === 'memory') expect(files).toBe(0);
            if (held === 'files' && rows.length) expect(files).toBeGreaterThan(0);
            for (let i = 0; i < names.length; i++) {
              const want = expected(rows, names[i], seed, buckets);
              const got = await readFile(
                join(dir, `${folder.slice(dir.length + 1)}-${names[i]}.jsonl`),
                'utf8',
              );
              expect(got, names[i]).toBe(want.map((l) => `${l}\n`).join(''));
              expect(done[i].tally.counts.total, names[i]).toBe(want.length);
              // Token lengths as the line spill had them (lineLengthsOf of each written record), in any order.
              const lengths = rowsOf(rows, names[i])
                .flatMap((a) => lineLengthsOf(exportFormats.get(names[i])!, a.row, counter))
                .map((l) => `${l.prompt},${l.total}`)
                .sort();
              const { promptTokens, totalTokens } = done[i].tally;
              expect([...promptTokens].map((p, k) => `${p},${totalTokens[k]}`).sort(), names[i]).toEqual(
                lengths,
              );
            }
          } finally {
            await shared.dispose();
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
