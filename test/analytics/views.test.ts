import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { from } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { exportFormats } from '../../pipelines/export/exportFormats.ts';
import { exportLog } from '../../pipelines/export/exportLog.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { appendEvents, smallTrees, tempLog } from './fixtures.ts';

let env: Awaited<ReturnType<typeof tempLog>>;
let small: AnalyticsDb;
let synth: AnalyticsDb;
let synthEvents: TreeEvent[];
let smallEvents: TreeEvent[];

beforeAll(async () => {
  env = await tempLog();
  const { math, code, logic } = smallTrees();
  smallEvents = [...math, ...code, ...logic];
  small = await openAnalyticsDb();
  await appendEvents(env.log, smallEvents);
  await syncLog({ log: env.log, connection: small.connection });
  // A second log: 400 synthetic trees shaped like the paper's, with every 50th event delivered twice.
  const other = await tempLog();
  synthEvents = [...syntheticTreeEvents({ trees: 400, seed: 11, actionBytes: [50, 200] })];
  const withRepeats = synthEvents.flatMap((e, i) => (i % 50 === 0 ? [e, e] : [e]));
  await appendEvents(other.log, withRepeats);
  synth = await openAnalyticsDb();
  await syncLog({ log: other.log, connection: synth.connection, batchEvents: 1000 });
  await other.dispose();
});
afterAll(async () => {
  small.close();
  synth.close();
  await env.dispose();
});

const q = async (db: AnalyticsDb, sql: string) => (await db.query(sql)).rows;

describe('analytics views on known trees', () => {
  it('strategy_diversity: distinct strategies, Shannon entropy and shares per task and dataset', async () => {
    const rows = await q(
      small,
      'SELECT task, dataset, actions, strategies, entropy_bits, share FROM strategy_diversity',
    );
    const h = -(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25));
    expect(rows).toEqual([
      ['Coding', 'TACO', 3, 1, 0, { 'chain-of-thought': 1 }],
      ['Logic', 'ReClor', 2, 1, 0, { 'chain-of-thought': 1 }],
      [
        'Math_PoT',
        'MATH',
        4,
        2,
        Number(h.toFixed(4)),
        { 'chain-of-thought': 0.75, 'modular-programming': 0.25 },
      ],
    ]);
  });

  it('pass_rate by turn x strategy x model', async () => {
    expect(await q(small, 'SELECT * FROM pass_rate')).toEqual([
      [1, 'chain-of-thought', 'gpt-4', 2, 2, 1],
      [1, 'chain-of-thought', 'llama', 2, 0, 0],
      [1, 'modular-programming', 'llama', 1, 0, 0],
      [2, 'chain-of-thought', 'gpt-4', 2, 2, 1],
      [2, 'chain-of-thought', 'llama', 2, 0, 0],
    ]);
  });

  it('tree_length and table1 count trajectories by turns (T1..T5)', async () => {
    expect(await q(small, 'SELECT length, trees FROM tree_length')).toEqual([
      ['T1', 1],
      ['T2', 2],
    ]);
    expect(await q(small, 'SELECT * FROM table1')).toEqual([
      ['Coding', 'TACO', 1, 0, 1, 0, 1, 0, 0, 0],
      ['Logic', 'ReClor', 1, 1, 1, 1, 0, 0, 0, 0],
      ['Math_PoT', 'MATH', 1, 2, 2, 0, 1, 0, 0, 0],
    ]);
  });

  it('critique_effectiveness: P(correct at t+1 | critiqued at t)', async () => {
    expect(await q(small, 'SELECT * FROM critique_effectiveness')).toEqual([
      [1, 'critic', 2, 2, 4, 2, 0.5, 1],
    ]);
  });

  it('model_contribution and cost', async () => {
    expect(
      await q(
        small,
        'SELECT model, actions, correct, pass_rate, chosen, rejected, sft_rows FROM model_contribution',
      ),
    ).toEqual([
      ['llama', 5, 0, 0, 0, 3, 0],
      ['gpt-4', 4, 4, 1, 3, 0, 4],
    ]);
    expect(await q(small, 'SELECT model, role, calls, prompt_tokens, completion_tokens FROM cost')).toEqual([
      ['llama', 'weak', 5, 50, 100],
      ['gpt-4', 'strong', 4, 40, 80],
      ['critic', 'critic', 2, 2, 2],
    ]);
  });

  it('trees and nodes carry what the viewer shows', async () => {
    const [tree] = await q(
      small,
      "SELECT instruction, turns, actions, outcome, closed FROM trees WHERE task = 'Math_PoT'",
    );
    expect(tree).toEqual(['Compute 2+2.', 2, 4, 'solved', true]);
    const [node] = await q(
      small,
      "SELECT strategy, model, action, observation, correct, critique, valid FROM nodes WHERE node_id = 'w1'",
    );
    expect(node).toEqual([
      'modular-programming',
      'llama',
      'Step 1: print(5)',
      '5',
      false,
      'The sum is wrong.',
      true,
    ]);
    const [k3] = await q(small, "SELECT valid FROM nodes WHERE node_id = 'k3'");
    expect(k3).toEqual([false]);
  });
});

describe('analytics views agree with the exports of the same log', () => {
  it('pairs and sft equal ultrainteract-pair / ultrainteract-sft exports, row for row', async () => {
    for (const [db, events] of [
      [small, smallEvents],
      [synth, synthEvents],
    ] as const) {
      const out = join(env.dir, `export-${events.length}`);
      const pairFormat = exportFormats.get('ultrainteract-pair')!;
      const sftFormat = exportFormats.get('ultrainteract-sft')!;
      await exportLog({
        events: from(events),
        targets: [
          { format: pairFormat, out: join(out, 'pairs.jsonl') },
          { format: sftFormat, out: join(out, 'sft.jsonl') },
        ],
      });
      const lines = async (f: string) =>
        (await readFile(join(out, f), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      const exportedPairs = await lines('pairs.jsonl');
      const exportedSft = await lines('sft.jsonl');
      const pairs = await q(
        db,
        'SELECT id, parent_id, task, dataset, trajectory, chosen, rejected FROM pairs ORDER BY tree_id, turn, id',
      );
      expect(pairs.length).toBe(exportedPairs.length);
      expect(
        pairs.map(([id, parent_id, task, dataset, trajectory, chosen, rejected]) => ({
          id,
          parent_id,
          task,
          dataset,
          trajectory: JSON.parse(String(trajectory)),
          chosen,
          rejected,
        })),
      ).toEqual(exportedPairs);
      const sft = await q(
        db,
        'SELECT id, parent_id, task, dataset, instruction, response FROM sft ORDER BY tree_id, turn, id',
      );
      expect(
        sft.map(([id, parent_id, task, dataset, instruction, response]) => ({
          id,
          parent_id,
          task,
          dataset,
          instruction,
          response,
        })),
      ).toEqual(exportedSft);
    }
  });

  it('tree_length counts each tree once by its number of turns, duplicates and all', async () => {
    const turns = new Map<string, number>();
    for (const e of synthEvents)
      if (e.payload.kind === 'StrategySampled')
        turns.set(e.treeId, Math.max(turns.get(e.treeId) ?? 0, e.payload.turn));
    const expected = new Map<number, number>();
    for (const t of turns.values()) expected.set(t, (expected.get(t) ?? 0) + 1);
    const rows = await q(synth, 'SELECT turns, trees FROM tree_length');
    expect(new Map(rows.map(([t, n]) => [Number(t), Number(n)]))).toEqual(expected);
    expect((await q(synth, 'SELECT sum(T1 + T2 + T3 + T4 + T5) FROM table1'))[0][0]).toBe(400);
  });
});
