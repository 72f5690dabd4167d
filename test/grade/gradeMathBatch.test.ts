import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { longResponses } from '../../pipelines/grade/corpus/mathCorpus.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'arboretum-grade-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('grade --batch on long responses', () => {
  it('reads every 30 KB response (no length cap) and grades each right, with no timeout verdict', async () => {
    const cases = longResponses(60);
    expect(cases.every((c) => c.pred.length >= 30_000)).toBe(true);
    const file = join(dir, 'long.jsonl');
    writeFileSync(
      file,
      cases.map((c) => JSON.stringify({ id: c.id, task: 'math', gold: c.gold, pred: c.pred })).join('\n'),
    );
    const { stdout } = await run('node', ['bin/arboretum.js', 'grade', '--batch', file], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const verdicts = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; correct: boolean; reason: string });
    expect(verdicts.map((v) => v.id)).toEqual(cases.map((c) => c.id));
    expect(verdicts.filter((v) => /timeout/.test(v.reason))).toEqual([]);
    expect(verdicts.map((v) => v.correct)).toEqual(cases.map((c) => c.correct));
  }, 300_000);
});
