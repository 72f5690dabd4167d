import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { concat, from, type Observable, throwError } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { interleave } from '../assemble/randomTrees.ts';
import { treeScript } from '../assemble/treeScript.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-export-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Two trees: a two-turn Math_PoT tree (code, observation, critique) and a one-turn Coding tree. */
function trees(): TreeEvent[][] {
  const math = treeScript('math-1', { task: 'Math_PoT', dataset: 'MATH', text: 'Compute 2+2. "Quote" é' })
    .open()
    .action('m-c1', { correct: true, action: 'Step 1: 2+2=4' })
    .action('m-w1', { correct: false, action: 'Step 1: print(5)', code: 'print(5)', observation: '5' })
    .critique('m-w1', 'The sum is wrong.')
    .action('m-c2', { parent: 'm-w1', turn: 2, correct: true, action: 'Step 2: 4' })
    .action('m-w2', { parent: 'm-w1', turn: 2, correct: false, action: 'Step 2: 3' })
    .close();
  const code = treeScript('code-1', {
    task: 'Coding',
    dataset: 'TACO',
    text: 'Write Python code to solve the task.',
  })
    .open()
    .action('k-w1', { correct: false, action: 'def f(): return 0' })
    .action('k-c1', { correct: true, action: 'def f(): return 1' })
    .close();
  return [math.events, code.events];
}

const readLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

async function exportAll(events: readonly TreeEvent[], sub: string, ext = 'jsonl') {
  const out = join(dir, sub);
  const targets = [...exportFormats.values()].map((format) => ({
    format,
    out: join(out, `${format.name}.${ext}`),
  }));
  return exportLog({ events: from(events), targets });
}

describe('exportLog', () => {
  it('writes every format with the rows trainers expect', async () => {
    const [math, code] = trees();
    const { outputs, events } = await exportAll([...math, ...code], 'formats');
    expect(events).toBe(math.length + code.length);
    const file = (name: string) => join(dir, 'formats', `${name}.jsonl`);
    const mathTree = math[0].treeId;
    const codeTree = code[0].treeId;
    const [first] = [mathTree, codeTree].sort();
    const pairs = await readLines(file('ultrainteract-pair'));
    expect(pairs.map((p) => p.id)).toEqual(
      first === mathTree
        ? [`${mathTree}_1_1`, `${mathTree}_2_1`, `${codeTree}_1_1`]
        : [`${codeTree}_1_1`, `${mathTree}_1_1`, `${mathTree}_2_1`],
    );
    const turn2 = pairs.find((p) => p.id === `${mathTree}_2_1`);
    expect(Object.keys(turn2)).toEqual([
      'id',
      'parent_id',
      'task',
      'dataset',
      'trajectory',
      'chosen',
      'rejected',
    ]);
    expect(turn2).toEqual({
      id: `${mathTree}_2_1`,
      parent_id: 'math-1',
      task: 'Math_PoT',
      dataset: 'MATH',
      trajectory: [
        { from: 'user', value: 'Compute 2+2. "Quote" é' },
        { from: 'assistant', value: 'Step 1: print(5)' },
        { from: 'user', value: 'Out: 5\nYour answer is wrong.\nThe sum is wrong.' },
      ],
      chosen: 'Step 2: 4',
      rejected: 'Step 2: 3',
    });
    const sft = await readLines(file('ultrainteract-sft'));
    expect(sft.map((r) => Object.keys(r).join())).toContain('id,parent_id,task,dataset,instruction,response');
    expect(sft.map((r) => r.response).sort()).toEqual(['Step 1: 2+2=4', 'Step 2: 4', 'def f(): return 1']);

    const dpo = await readLines(file('trl-dpo'));
    expect(dpo.find((r) => r.chosen[0].content === 'Step 2: 4')).toEqual({
      prompt: [
        { role: 'user', content: 'Compute 2+2. "Quote" é' },
        { role: 'assistant', content: 'Step 1: print(5)' },
        { role: 'user', content: 'Out: 5\nYour answer is wrong.\nThe sum is wrong.' },
      ],
      chosen: [{ role: 'assistant', content: 'Step 2: 4' }],
      rejected: [{ role: 'assistant', content: 'Step 2: 3' }],
    });
    const kto = await readLines(file('trl-kto'));
    expect(kto).toHaveLength(6);
    expect(kto.filter((r) => r.label)).toHaveLength(3);
    expect(kto.find((r) => r.completion[0].content === 'def f(): return 0')).toEqual({
      prompt: [{ role: 'user', content: 'Write Python code to solve the task.' }],
      completion: [{ role: 'assistant', content: 'def f(): return 0' }],
      label: false,
    });
    const osft = await readLines(file('openai-sft'));
    expect(osft).toContainEqual({
      messages: [
        { role: 'user', content: 'Write Python code to solve the task.' },
        { role: 'assistant', content: 'def f(): return 1' },
      ],
    });
    const odpo = await readLines(file('openai-dpo'));
    expect(odpo).toContainEqual({
      input: { messages: [{ role: 'user', content: 'Write Python code to solve the task.' }] },
      preferred_output: [{ role: 'assistant', content: 'def f(): return 1' }],
      non_preferred_output: [{ role: 'assistant', content: 'def f(): return 0' }],
    });
    const share = await readLines(file('sharegpt'));
    expect(share.find((r) => r.chosen.value === 'Step 2: 4')).toEqual({
      conversations: [
        { from: 'human', value: 'Compute 2+2. "Quote" é' },
        { from: 'gpt', value: 'Step 1: print(5)' },
        { from: 'human', value: 'Out: 5\nYour answer is wrong.\nThe sum is wrong.' },
      ],
      chosen: { from: 'gpt', value: 'Step 2: 4' },
      rejected: { from: 'gpt', value: 'Step 2: 3' },
    });
    const rmRows = await readLines(file('rm-pairs'));
    // Only the math tree has actions of two turns: c1>w2 and c2>w1.
    expect(
      rmRows.map((r) => [r.chosen[0].content, r.rejected[0].content, r.chosen_turn, r.rejected_turn]),
    ).toEqual([
      ['Step 1: 2+2=4', 'Step 2: 3', 1, 2],
      ['Step 2: 4', 'Step 1: print(5)', 2, 1],
    ]);
    expect(rmRows[0].prompt).toEqual([{ role: 'user', content: 'Compute 2+2. "Quote" é' }]);
    expect(outputs.map((o) => [o.format, o.rows])).toEqual([
      ['ultrainteract-sft', 3],
      ['ultrainteract-pair', 3],
      ['trl-dpo', 3],
      ['trl-kto', 6],
      ['trl-sft', 3],
      ['openai-sft', 3],
      ['openai-dpo', 3],
      ['sharegpt', 3],
      ['rm-pairs', 2],
    ]);
  });

  it('gives byte-identical files for any interleaving and repetition of the same log', async () => {
    const t = trees();
    await exportAll(interleave(t, [0, 1, 1, 0, 1], []), 'a');
    await exportAll(
      interleave(
        t,
        [1, 1, 1, 0, 0, 0, 1],
        [
          { at: 3, later: 2 },
          { at: 9, later: 30 },
        ],
      ),
      'b',
    );
    for (const name of exportFormats.keys()) {
      const a = await readFile(join(dir, 'a', `${name}.jsonl`));
      const b = await readFile(join(dir, 'b', `${name}.jsonl`));
      expect(b.equals(a), name).toBe(true);
      expect(a.length).toBeGreaterThan(0);
    }
  });

  it('writes the same bytes from the shared spill as from the line spill, and mixes both in one pass', async () => {
    // treeScript logs carry no actor system prompt: with --system-prompt actor the formats that take one go
    // through a line spill each (exportLog cannot know ahead that no row has one) yet write the default bytes,
    // while UltraInteract's formats (no system message) stay on the shared spill in the same pass.
    const events = interleave(trees(), [0, 1, 1, 0, 1], [{ at: 4, later: 3 }]);
    const shared = await exportAll(events, 'via-shared');
    const mixed = await exportLog({
      events: from(events),
      targets: [...exportFormats.values()].map((format) => ({
        format,
        out: join(dir, 'via-lines', `${format.name}.jsonl`),
      })),
      systemPrompt: 'actor',
    });
    for (const name of exportFormats.keys()) {
      const a = await readFile(join(dir, 'via-shared', `${name}.jsonl`));
      const b = await readFile(join(dir, 'via-lines', `${name}.jsonl`));
      expect(a.length, name).toBeGreaterThan(0);
      expect(b.equals(a), name).toBe(true);
    }
    expect(mixed.outputs.map((o) => [o.rows, o.lengths, o.spread])).toEqual(
      shared.outputs.map((o) => [o.rows, o.lengths, o.spread]),
    );
  });

  it('writes Parquet through DuckDB, byte-identical on replay, with the format columns', async () => {
    const t = trees();
    await exportAll(interleave(t, [0], []), 'p1', 'parquet');
    await exportAll(interleave(t, [1, 0], [{ at: 1, later: 5 }]), 'p2', 'parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    try {
      for (const name of exportFormats.keys()) {
        const a = await readFile(join(dir, 'p1', `${name}.parquet`));
        expect((await readFile(join(dir, 'p2', `${name}.parquet`))).equals(a), name).toBe(true);
      }
      const path = join(dir, 'p1', 'ultrainteract-pair.parquet');
      const cols = await c.runAndReadAll(`DESCRIBE SELECT * FROM '${path}'`);
      expect(cols.getRows().map((r) => `${r[0]} ${r[1]}`)).toEqual([
        'id VARCHAR',
        'parent_id VARCHAR',
        'task VARCHAR',
        'dataset VARCHAR',
        'trajectory STRUCT("from" VARCHAR, "value" VARCHAR)[]',
        'chosen VARCHAR',
        'rejected VARCHAR',
      ]);
      const rows = await c.runAndReadAll(`SELECT id, trajectory FROM '${path}' WHERE len(trajectory) = 3`);
      expect(rows.getRowObjectsJson()).toEqual([
        {
          id: `${t[0][0].treeId}_2_1`,
          trajectory: [
            { from: 'user', value: 'Compute 2+2. "Quote" é' },
            { from: 'assistant', value: 'Step 1: print(5)' },
            { from: 'user', value: 'Out: 5\nYour answer is wrong.\nThe sum is wrong.' },
          ],
        },
      ]);
      const kto = await c.runAndReadAll(
        `SELECT count(*)::INTEGER, sum(label::INTEGER)::INTEGER FROM '${join(dir, 'p1', 'trl-kto.parquet')}'`,
      );
      expect(kto.getRows()).toEqual([[6, 3]]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it('filters by task, dataset and turn, and writes a dataset card with counts', async () => {
    const [math, code] = trees();
    const out = join(dir, 'filtered', 'pairs.jsonl');
    const format = exportFormats.get('ultrainteract-pair')!;
    const { outputs } = await exportLog({
      events: from([...code, ...math]),
      targets: [{ format, out, card: true }],
      filter: { task: 'Math_PoT', minTurns: 2 },
    });
    const rows = await readLines(out);
    expect(rows.map((r) => r.id)).toEqual([`${math[0].treeId}_2_1`]);
    expect(outputs[0].counts).toEqual({
      total: 1,
      byTask: [['Math_PoT', 1]],
      byDataset: [['MATH', 1]],
      byTurn: [[2, 1]],
    });
    const card = await readFile(join(dir, 'filtered', 'README.md'), 'utf8');
    expect(card).toContain('path: pairs.jsonl');
    expect(card).toContain('| Math_PoT | 1 | 100.0% |');
    expect(card).toContain('| 2 | 1 | 100.0% |');
    expect(card).toContain('Filters: `task=Math_PoT`, `minTurns=2`.');
  });

  it("order 'log' writes the same lines in decision order, without the spill", async () => {
    const t = trees();
    await exportAll(interleave(t, [0, 1], []), 'canon');
    const format = exportFormats.get('trl-kto')!;
    const out = join(dir, 'log-order', 'kto.jsonl');
    const { outputs } = await exportLog({
      events: from(interleave(t, [0, 1], [])),
      targets: [{ format, out }],
      order: 'log',
    });
    const logOrder = (await readFile(out, 'utf8')).split('\n');
    const canonical = (await readFile(join(dir, 'canon', 'trl-kto.jsonl'), 'utf8')).split('\n');
    expect([...logOrder].sort()).toEqual([...canonical].sort());
    expect(outputs[0].rows).toBe(6);
  });

  it('rejects with the error of the events or of folding one, mid-pass, and leaves no spill behind', async () => {
    const [math, code] = trees();
    const format = exportFormats.get('trl-dpo')!;
    const broken: TreeEvent = { ...code[0], payload: null as unknown as TreeEvent['payload'] };
    const cases: [string, Observable<TreeEvent>, RegExp][] = [
      [
        'source',
        concat(
          from(math),
          throwError(() => new Error('the log broke')),
        ),
        /the log broke/,
      ],
      ['fold', from([...math, broken, ...code]), /null/],
    ];
    for (const [name, events, error] of cases)
      for (const order of ['canonical', 'log'] as const) {
        const tempDir = await mkdtemp(join(dir, `spill-${name}-`));
        const out = join(dir, `broken-${name}-${order}`, 'dpo.jsonl');
        await expect(exportLog({ events, targets: [{ format, out }], order, tempDir })).rejects.toThrow(
          error,
        );
        expect(await readdir(tempDir)).toEqual([]);
      }
  });

  it('rejects an output that is neither .jsonl nor .parquet, naming it', async () => {
    const format = exportFormats.get('trl-dpo')!;
    await expect(
      exportLog({ events: from([]), targets: [{ format, out: join(dir, 'x.csv') }] }),
    ).rejects.toThrow(/x\.csv.*\.jsonl or \.parquet/);
  });
});
