import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { from, map } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { importUltraInteract } from '../../pipelines/import/importUltraInteract.ts';
import type { ImportProblem } from '../../pipelines/import/ultrainteractRows.ts';
import { logArb } from '../assemble/randomTrees.ts';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-import-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const h = (c: string) => c.repeat(64);
const I1 = 'Write Python code to solve the task.\nRead n and print n+1.';
const I2 =
  'Solve the following math problem step-by-step.\nWhat is 1/2 + 1/4? Present the answer as \\boxed{Your Answer}.';

/** Rows as the public data lays them out (our own text): several trajectories, feedback with and without Out:. */
const pairRows = [
  {
    id: `${h('a')}_1_1`,
    parent_id: 'p-code',
    task: 'Coding',
    dataset: 'codecontest',
    trajectory: [{ from: 'user', value: I1 }],
    chosen: 'Step 1: print(int(input())+1)',
    rejected: 'Step 1: print(input()+1)',
  },
  {
    id: `${h('a')}_2_2`,
    parent_id: 'p-code',
    task: 'Coding',
    dataset: 'codecontest',
    trajectory: [
      { from: 'user', value: I1 },
      { from: 'assistant', value: 'Step 1: print(input()+1)' },
      {
        from: 'user',
        value:
          'Out: TypeError: can only concatenate str\nYour answer is wrong.\nConvert the input to int first.',
      },
    ],
    chosen: 'Step 2: n = int(input()); print(n + 1)',
    rejected: 'Step 2: print(input() + "1")',
  },
  {
    id: `${h('b')}_1_1`,
    parent_id: 'p-code',
    task: 'Coding',
    dataset: 'codecontest',
    trajectory: [{ from: 'user', value: I1 }],
    chosen: 'Step 1: import sys; print(int(sys.stdin.read())+1)',
    rejected: 'Step 1: print(0)',
  },
  {
    id: `${h('c')}_1_1`,
    parent_id: 'p-math',
    task: 'Math_CoT',
    dataset: 'MATH',
    trajectory: [{ from: 'user', value: I2 }],
    chosen: 'Step 1: 1/2 + 1/4 = 3/4\nAnswer:\n\\boxed{3/4}',
    rejected: 'Step 1: 1/2 + 1/4 = 2/6\nAnswer:\n\\boxed{1/3}',
  },
  {
    id: `${h('c')}_2_1`,
    parent_id: 'p-math',
    task: 'Math_CoT',
    dataset: 'MATH',
    trajectory: [
      { from: 'user', value: I2 },
      { from: 'assistant', value: 'Step 1: 1/2 + 1/4 = 2/6\nAnswer:\n\\boxed{1/3}' },
      { from: 'user', value: 'Your answer is wrong.\nAdd fractions over a common denominator.' },
    ],
    chosen: 'Step 1: 2/4 + 1/4 = 3/4\n\\boxed{3/4}',
    rejected: 'Step 1: 1/2 + 1/4 = 1/8\n\\boxed{1/8}',
  },
  {
    id: `${h('c')}_3_1`,
    parent_id: 'p-math',
    task: 'Math_CoT',
    dataset: 'MATH',
    trajectory: [
      { from: 'user', value: I2 },
      { from: 'assistant', value: 'Step 1: 1/2 + 1/4 = 2/6\nAnswer:\n\\boxed{1/3}' },
      { from: 'user', value: 'Your answer is wrong.\nAdd fractions over a common denominator.' },
      { from: 'assistant', value: 'Step 1: 1/2 + 1/4 = 1/8\n\\boxed{1/8}' },
      { from: 'user', value: 'A free-form critic note without the usual words.' },
    ],
    chosen: '\\boxed{0.75}',
    rejected: '\\boxed{0.5}',
  },
];
const sftRows = [
  {
    id: `${h('a')}_1_1`,
    parent_id: 'p-code',
    task: 'Coding',
    dataset: 'codecontest',
    instruction: I1,
    response: 'Step 1: print(int(input())+1)',
  },
  {
    id: `${h('d')}_1_1`,
    parent_id: 'p-code',
    task: 'Coding',
    dataset: 'codecontest',
    instruction: I1,
    response: 'Step 1: print(-~int(input()))',
  },
  {
    id: `${h('c')}_3_1`,
    parent_id: 'p-math',
    task: 'Math_CoT',
    dataset: 'MATH',
    instruction: I2,
    response: '\\boxed{0.75}',
  },
];

const jsonl = (rows: readonly object[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

async function withLog<T>(body: (log: EventLog, base: string) => Promise<T>): Promise<T> {
  const base = join(dir, `case${n++}`);
  const log = createFileEventLog({ dir: join(base, 'log'), fsync: 'never', onRecovered: () => {} });
  try {
    return await body(log, base);
  } finally {
    await log.close();
  }
}

async function exportFrom(log: EventLog, base: string, name: string) {
  const out = join(base, `${name}.jsonl`);
  await exportLog({
    events: log.read(topics.treeEvents).pipe(map((r) => r.value)),
    targets: [{ format: exportFormats.get(name)!, out }],
  });
  return readFile(out, 'utf8');
}

const sortedLines = (text: string) => text.split('\n').filter(Boolean).sort();

describe('import ultrainteract', () => {
  it('import then export gives the same pair rows back, byte for byte (and the SFT rows)', async () => {
    await withLog(async (log, base) => {
      const pairFile = join(dir, 'pairs.jsonl');
      const sftFile = join(dir, 'sft.jsonl');
      await writeFile(pairFile, jsonl(pairRows));
      await writeFile(sftFile, jsonl(sftRows));
      const summary = await importUltraInteract({ log, pairFiles: [pairFile], sftFiles: [sftFile] });
      expect(summary).toMatchObject({ trees: 2, rows: 9, problems: 0 });
      expect(sortedLines(await exportFrom(log, base, 'ultrainteract-pair'))).toEqual(
        sortedLines(jsonl(pairRows)),
      );
      // The 4 chosen actions without an SFT row are correct actions too: they come out with ids of our own.
      const sft = sortedLines(await exportFrom(log, base, 'ultrainteract-sft')).map((l) => JSON.parse(l));
      for (const row of sftRows) expect(sft).toContainEqual(row);
      expect(sft).toHaveLength(sftRows.length + 4);
    });
  });

  it('reads Parquet as well, and importing twice changes nothing', async () => {
    await withLog(async (log, base) => {
      const pairJsonl = join(dir, 'pq-pairs.jsonl');
      const pairFile = join(dir, 'pairs.parquet');
      await writeFile(pairJsonl, jsonl(pairRows));
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      await c.run(
        `COPY (SELECT * FROM read_json('${pairJsonl}', format='newline_delimited')) TO '${pairFile}' (FORMAT parquet)`,
      );
      c.closeSync();
      db.closeSync();
      await importUltraInteract({ log, pairFiles: [pairFile] });
      const once = await exportFrom(log, base, 'ultrainteract-pair');
      await importUltraInteract({ log, pairFiles: [pairFile] });
      expect(await exportFrom(log, base, 'ultrainteract-pair')).toBe(once);
      expect(sortedLines(once)).toEqual(sortedLines(jsonl(pairRows)));
    });
  });

  it('reports bad rows by file and line, sends them to dead letters, and imports the rest', async () => {
    await withLog(async (log, base) => {
      const file = join(dir, 'bad.jsonl');
      const lines = [
        JSON.stringify(pairRows[0]),
        '{not json',
        JSON.stringify({ ...pairRows[3], trajectory: [{ from: 'assistant', value: 'x' }] }),
        JSON.stringify({ ...pairRows[3], chosen: 7 }),
        JSON.stringify({ ...pairRows[3], task: 'Poetry' }),
      ];
      await writeFile(file, `${lines.join('\n')}\n`);
      const problems: ImportProblem[] = [];
      const summary = await importUltraInteract({
        log,
        pairFiles: [file],
        onProblem: (p) => problems.push(p),
      });
      expect(problems.map((p) => p.source).sort()).toEqual([
        `${file}:2`,
        `${file}:3`,
        `${file}:4`,
        `${file}:5`,
      ]);
      expect(problems.find((p) => p.source === `${file}:2`)!.reason).toMatch(/not JSON/);
      expect(problems.find((p) => p.source === `${file}:4`)!.reason).toMatch(/chosen must be a string/);
      expect(problems.find((p) => p.source === `${file}:5`)!.reason).toMatch(/Poetry/);
      expect(summary.problems).toBe(4);
      const dead = await new Promise<unknown[]>((resolve, reject) => {
        const got: unknown[] = [];
        log
          .read(topics.deadLetters)
          .subscribe({ next: (r) => got.push(r.value), error: reject, complete: () => resolve(got) });
      });
      expect(dead).toHaveLength(4);
      expect(sortedLines(await exportFrom(log, base, 'ultrainteract-pair'))).toEqual([
        JSON.stringify(pairRows[0]),
      ]);
    });
  });

  it('export, import, export: pairs come back the same for random trees', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, async ({ log: events }) => {
        await withLog(async (log, base) => {
          const targets = ['ultrainteract-pair', 'ultrainteract-sft'].map((name) => ({
            format: exportFormats.get(name)!,
            out: join(base, `first-${name}.jsonl`),
          }));
          await exportLog({ events: from(events), targets });
          const [pairs, sft] = await Promise.all(targets.map((t) => readFile(t.out, 'utf8')));
          const summary = await importUltraInteract({
            log,
            pairFiles: [targets[0].out],
            sftFiles: [targets[1].out],
          });
          expect(summary.problems).toBe(0);
          expect(await exportFrom(log, base, 'ultrainteract-pair')).toBe(pairs);
          expect(sortedLines(await exportFrom(log, base, 'ultrainteract-sft'))).toEqual(sortedLines(sft));
        });
      }),
      { numRuns: 12 },
    );
  });
});
