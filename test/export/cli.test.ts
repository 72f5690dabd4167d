import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { cli } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-cli-test-'));
  const log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never', onRecovered: () => {} });
  const s = treeScript('cli-1', { task: 'Logic', dataset: 'StrategyQA', text: 'Is the sky green?' })
    .open()
    .action('c', { correct: true, action: 'No.' })
    .action('w', { correct: false, action: 'Yes.' })
    .close();
  await log.append(
    topics.treeEvents,
    s.events.map((value) => ({ value })),
  );
  await log.close();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('arboretum export / import', () => {
  it('exports a log to a file with a card, then imports the rows into another log and exports the same bytes', async () => {
    const out = join(dir, 'ds', 'pairs.jsonl');
    const first = await cli([
      'export',
      '--log',
      `file:${join(dir, 'log')}`,
      '--format',
      'ultrainteract-pair',
      '--out',
      out,
      '--card',
      '--license',
      'unknown',
    ]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/ultrainteract-pair: 1 rows to .*pairs\.jsonl from 8 events; card/);
    const row = JSON.parse(await readFile(out, 'utf8'));
    expect(row).toMatchObject({ parent_id: 'cli-1', task: 'Logic', chosen: 'No.', rejected: 'Yes.' });
    expect(await readFile(join(dir, 'ds', 'README.md'), 'utf8')).toContain('| StrategyQA | 1 | 100.0% |');

    const imported = await cli([
      'import',
      'ultrainteract',
      '--pair',
      out,
      '--log',
      `file:${join(dir, 'log2')}`,
    ]);
    expect(imported.stdout).toMatch(/imported 1 rows as 1 trees/);
    const again = join(dir, 'again.jsonl');
    await cli([
      'export',
      '--log',
      `file:${join(dir, 'log2')}`,
      '--format',
      'ultrainteract-pair',
      '--out',
      again,
    ]);
    expect(await readFile(again, 'utf8')).toBe(await readFile(out, 'utf8'));
  });

  it('names what is wrong with bad flags and bad rows', async () => {
    const bad = await cli(['export', '--format', 'nope', '--out', join(dir, 'x.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format "nope" is not one of ultrainteract-sft, .*rm-pairs/);
    const ext = await cli(['export', '--format', 'trl-dpo', '--out', join(dir, 'x.csv')]);
    expect(ext.stderr).toMatch(/x\.csv.*\.jsonl or \.parquet/);
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, '{"id": 1}\n');
    const imp = await cli(['import', 'ultrainteract', '--sft', file, '--log', `file:${join(dir, 'log3')}`]);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toContain(`${file}:1: parent_id must be a string`);
  });
});
