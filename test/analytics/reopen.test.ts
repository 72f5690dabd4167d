import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import type { PreferencePair, SftExample, TreeEvent } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { appendEvents, assembled, tempLog } from './fixtures.ts';

let env: Awaited<ReturnType<typeof tempLog>>;
let db: AnalyticsDb;
beforeEach(async () => {
  env = await tempLog();
  db = await openAnalyticsDb();
});
afterEach(async () => {
  db.close();
  await env.dispose();
});

const rows = async (d: AnalyticsDb, sql: string) => (await d.query(sql)).rows;

/** A growth that closed failed: a valid incorrect action at turn 1, expanded, then only failed actions. */
const failedGrowth = (s: ReturnType<typeof treeScript>) =>
  s
    .action('w0', { correct: false })
    .critique('w0')
    .action('f1', { parent: 'w0', turn: 2, correct: false, action: '', failure: 'empty answer' })
    .close('failed');
/** A growth that pairs at turn 1 and solves at turn 2. */
const solvedGrowth = (s: ReturnType<typeof treeScript>, prefix: string) =>
  s
    .action(`${prefix}c`, { correct: true })
    .action(`${prefix}w`, { correct: false })
    .critique(`${prefix}w`)
    .action(`${prefix}c2`, { parent: `${prefix}w`, turn: 2, correct: true })
    .close('solved');

/** pair / SFT rows as the views give them, and as assemble decides them. */
const viewRows = async (d: AnalyticsDb) => ({
  pairs: await rows(d, 'SELECT id, tree_id, chosen_node_id, rejected_node_id FROM pairs ORDER BY id'),
  sft: await rows(d, 'SELECT id, tree_id, node_id FROM sft ORDER BY id'),
});
const decidedRows = async (events: readonly TreeEvent[]) => {
  const out = await assembled(events);
  const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
  return {
    pairs: out
      .filter((a) => a.kind === 'pair')
      .map((a) => a.row as PreferencePair)
      .map((p) => [p.id, p.treeId, p.chosenNodeId, p.rejectedNodeId])
      .sort(byId),
    sft: out
      .filter((a) => a.kind === 'sft')
      .map((a) => a.row as SftExample)
      .map((s) => [s.id, s.treeId, s.nodeId])
      .sort(byId),
  };
};

describe('syncLog and a reopened tree (TreeReopened)', () => {
  it('stores the regrowth, decides the rows assemble decides, and describes the tree by its last growth', async () => {
    const retried = solvedGrowth(failedGrowth(treeScript('r1').open()).reopen(), 'g1.');
    const straight = solvedGrowth(treeScript('r2').open(), '');
    const ev = retried.events;
    const reopenAt = ev.findIndex((e) => e.payload.kind === 'TreeReopened');
    // First sync ends with r1 closed failed: the next one rebuilds it from the tables and must let the reopen in.
    await appendEvents(env.log, [...ev.slice(0, reopenAt), ...straight.events.slice(0, 4)]);
    await syncLog({ log: env.log, connection: db.connection });
    expect(
      await rows(db, `SELECT outcome, closed, reopens FROM trees WHERE tree_id = '${retried.treeId}'`),
    ).toEqual([['failed', true, 0]]);
    // Then the reopen, repeats of the failed growth's close and first action and of the reopen, the regrowth.
    const late = [ev[reopenAt], ev[reopenAt - 1], ev[1], ev[reopenAt], ...ev.slice(reopenAt + 1)];
    await appendEvents(env.log, [...late, ...straight.events.slice(4)]);
    const second = await syncLog({ log: env.log, connection: db.connection });
    expect(second.duplicates).toBe(3);
    const all = [
      ...ev.slice(0, reopenAt),
      ...straight.events.slice(0, 4),
      ...late,
      ...straight.events.slice(4),
    ];
    expect(await viewRows(db)).toEqual(await decidedRows(all));
    expect((await viewRows(db)).pairs).toHaveLength(2);
    expect(
      await rows(
        db,
        'SELECT instruction_id, outcome, closed, reopens, actions, correct_actions, turns FROM trees ORDER BY 1',
      ),
    ).toEqual([
      ['r1', 'solved', true, 1, 3, 2, 2],
      ['r2', 'solved', true, 0, 3, 2, 2],
    ]);
    expect(await rows(db, 'SELECT turns, trees FROM tree_length')).toEqual([[2, 2]]);
    expect(await rows(db, 'SELECT generation, count(*) FROM strategy_sampled GROUP BY 1 ORDER BY 1')).toEqual(
      [
        [0, 5],
        [1, 3],
      ],
    );
    expect(await rows(db, 'SELECT generation FROM tree_reopened')).toEqual([[1]]);

    // One sync of the whole log stores the same.
    const whole = await openAnalyticsDb();
    const log2 = await tempLog();
    try {
      await appendEvents(log2.log, all);
      await syncLog({ log: log2.log, connection: whole.connection });
      for (const t of ['strategy_sampled', 'tree_closed', 'tree_reopened', 'pair_rows', 'sft_rows'])
        expect(
          await rows(
            whole,
            `SELECT * EXCLUDE (${t.endsWith('_rows') ? 'tree_id' : 'part, off'}) FROM ${t} ORDER BY ALL`,
          ),
        ).toEqual(
          await rows(
            db,
            `SELECT * EXCLUDE (${t.endsWith('_rows') ? 'tree_id' : 'part, off'}) FROM ${t} ORDER BY ALL`,
          ),
        );
    } finally {
      whole.close();
      await log2.dispose();
    }
  });

  it('drops a reopen after a solved close, or of a failed tree that decided rows', async () => {
    const solved = solvedGrowth(treeScript('r3').open(), '').reopen();
    const withRows = treeScript('r4')
      .open()
      .action('c', { correct: true })
      .action('w', { correct: false })
      .close('failed')
      .reopen()
      .action('g1.c', { correct: true });
    await appendEvents(env.log, [...solved.events, ...withRows.events]);
    const s = await syncLog({ log: env.log, connection: db.connection });
    expect(s.duplicates).toBe(1 + 4);
    expect(await rows(db, 'SELECT count(*) FROM tree_reopened')).toEqual([[0]]);
    expect(await viewRows(db)).toEqual(await decidedRows([...solved.events, ...withRows.events]));
  });
});
