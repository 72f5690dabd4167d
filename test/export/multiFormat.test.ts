import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import { cli } from '../support/cli.ts';

let dir: string;
let logUri: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-multi-format-'));
  const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never', onRecovered: () => {} });
  // Paper-shaped trees of every task, small texts: pairs, SFT rows and RM pairs of several turns.
  await log.append(
    topics.treeEvents,
    [...syntheticTreeEvents({ trees: 24, seed: 7, actionBytes: [40, 400] })].map((value) => ({ value })),
  );
  await log.close();
  logUri = `file:${join(dir, 'log')}`;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('arboretum export --format a,b (one pass, several formats)', () => {
  it('writes each format byte for byte as its own run does, JSONL into a folder', async () => {
    // One format of each kind of row, and the spread one (trl-kto, whose order is seeded).
    const all = ['ultrainteract-pair', 'trl-kto', 'trl-sft', 'rm-pairs'];
    for (const name of all) expect(exportFormats.has(name), name).toBe(true);
    const together = await cli([
      'export',
      '--log',
      logUri,
      '--format',
      all.join(','),
      '--out',
      join(dir, 'together'),
    ]);
    expect(together.code, together.stderr).toBe(0);
    for (const name of all) {
      const alone = await cli([
        'export',
        '--log',
        logUri,
        '--format',
        name,
        '--out',
        join(dir, 'alone', `${name}.jsonl`),
      ]);
      expect(alone.code, name).toBe(0);
      const a = await readFile(join(dir, 'alone', `${name}.jsonl`));
      const b = await readFile(join(dir, 'together', `${name}.jsonl`));
      expect(a.length, name).toBeGreaterThan(0);
      expect(b.equals(a), name).toBe(true);
      expect(together.stdout).toContain(`${name}: `);
    }
  }, 300_000);

  it('writes Parquet through an {format} path, the same bytes as separate runs, with filters and a shared card', async () => {
    const pair = ['trl-dpo', 'trl-sft'];
    const flags = ['--log', logUri, '--max-turn', '2', '--card', '--license', 'mit'];
    const together = await cli([
      'export',
      ...flags,
      '--format',
      pair.join(','),
      '--out',
      join(dir, 'pq', '{format}.parquet'),
    ]);
    expect(together.code, together.stderr).toBe(0);
    for (const name of pair) {
      await cli(['export', ...flags, '--format', name, '--out', join(dir, 'pq1', `${name}.parquet`)]);
      const a = await readFile(join(dir, 'pq1', `${name}.parquet`));
      expect((await readFile(join(dir, 'pq', `${name}.parquet`))).equals(a), name).toBe(true);
    }
    const card = await readFile(join(dir, 'pq', 'README.md'), 'utf8');
    expect(card).toContain('config_name: trl-dpo');
    expect(card).toContain('config_name: trl-sft');
  }, 300_000);

  it('names what is wrong: an unknown or repeated format, one file or stdout for several', async () => {
    const bad = async (format: string, out: string, want: RegExp) => {
      const r = await cli(['export', '--log', logUri, '--format', format, '--out', out]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(want);
    };
    await bad('trl-dpo,trl-dop', join(dir, 'x'), /--format "trl-dop" is not one of/);
    await bad('trl-dpo,trl-dpo', join(dir, 'x'), /trl-dpo is given twice/);
    await bad(
      'trl-dpo,trl-sft',
      join(dir, 'x.jsonl'),
      /several formats need a folder or a path with \{format\}/,
    );
    await bad('trl-dpo,trl-sft', '-', /--out - takes one format; 2 were given/);
  });
});
