import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { sinkLayoutVersion } from '../../pipelines/analyticsSink/sinkLayoutVersion.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { emptyTree } from '../../pipelines/assemble/emptyTree.ts';
import { evolveTree } from '../../pipelines/assemble/evolveTree.ts';
import { isValidAction } from '../../pipelines/assemble/isValidAction.ts';
import type { Tree } from '../../pipelines/assemble/tree.ts';
import { readSchemaFile } from '../../schemas/schemaTypes.ts';
import type { PreferencePair, SftExample, TreeEvent } from '../../schemas/types.ts';
import { renderSinkTables } from '../../scripts/genSinkTables.ts';
import { logArb } from '../assemble/randomTrees.ts';
import { cli } from '../support/cli.ts';
import { appendEvents, assembled, smallTrees, tempLog } from './fixtures.ts';

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

const sync = () => syncLog({ log: env.log, connection: db.connection });
const rows = async (sql: string) => (await db.query(sql)).rows;
const count = async (table: string) => (await rows(`SELECT count(*) FROM ${table}`))[0][0];

/** Every sink table's rows, sorted, to compare whole databases. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of [
    'tree_opened',
    'strategy_sampled',
    'turn_executed',
    'verdict_reached',
    'critique_emitted',
    'tree_closed',
    'pair_rows',
    'sft_rows',
  ])
    out[t] = (await rows(
      `SELECT * EXCLUDE (${t.endsWith('_rows') ? 'tree_id' : 'part, off'}) FROM ${t} ORDER BY ALL`,
    )) as unknown[];
  return out;
}

/** The pairs and SFT rows as the views give them, in the shape pipelines/assemble emits. */
async function viewRows() {
  const pairs = await rows(
    'SELECT id, tree_id, turn, chosen, rejected, chosen_node_id, rejected_node_id, trajectory FROM pairs ORDER BY id',
  );
  const sft = await rows('SELECT id, tree_id, turn, node_id, instruction, response FROM sft ORDER BY id');
  return { pairs, sft };
}

function expectedRows(decided: Awaited<ReturnType<typeof assembled>>) {
  const pairs = decided
    .filter((a) => a.kind === 'pair')
    .map((a) => a.row as PreferencePair)
    .map((p) => [
      p.id,
      p.treeId,
      p.turn,
      p.chosen,
      p.rejected,
      p.chosenNodeId,
      p.rejectedNodeId,
      JSON.stringify(p.trajectory),
    ])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const sft = decided
    .filter((a) => a.kind === 'sft')
    .map((a) => a.row as SftExample)
    .map((s) => [s.id, s.treeId, s.turn, s.nodeId, s.instruction, s.response])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { pairs, sft };
}

describe('syncLog', () => {
  it('stores one row per distinct event and the pairs / SFT rows that assemble decides', async () => {
    const { math, code, logic } = smallTrees();
    // Interleave the trees and deliver some events twice (a re-append after a crash).
    const events: TreeEvent[] = [];
    for (let i = 0; i < Math.max(math.length, code.length, logic.length); i++)
      for (const t of [math, code, logic]) if (t[i]) events.push(t[i]);
    events.push(math[3], code[1], logic[2], math[0]);
    await appendEvents(env.log, events);
    const s = await sync();
    expect(s.events).toBe(events.length);
    expect(s.duplicates).toBe(4);
    expect(await count('tree_opened')).toBe(3);
    expect(await count('nodes')).toBe(9);
    expect(await count('tree_closed')).toBe(2);
    expect(await rows('SELECT tree_id FROM trees WHERE NOT closed')).toEqual([[logic[0].treeId]]);
    const decided = await assembled(events);
    const expected = expectedRows(decided);
    expect(expected.pairs).toHaveLength(3);
    expect(expected.sft).toHaveLength(4);
    expect(await viewRows()).toEqual(expected);
  });

  it('resumes from its stored position: twice adds nothing twice, late repeats and post-close events are dropped', async () => {
    const { math, code, logic } = smallTrees();
    await appendEvents(env.log, [...math.slice(0, 5), ...logic.slice(0, 4)]);
    await sync();
    const mid = await count('nodes');
    expect(mid).toBe(2 + 1);
    // Second part: the rest, a repeat of an event stored by the first sync, and a stray event after math closed.
    const stray = {
      ...math[4],
      eventId: `${math[0].treeId}/zz/StrategySampled`,
      payload: { ...(math[4].payload as object), nodeId: 'zz' },
    } as TreeEvent;
    await appendEvents(env.log, [...math.slice(5), math[2], ...code, ...logic.slice(4), stray]);
    const second = await sync();
    expect(second.duplicates).toBe(2);
    const again = await sync();
    expect(again.events).toBe(0);
    const incremental = await snapshot();
    // The same database as one sync of the whole log.
    const whole = await openAnalyticsDb();
    const log2 = await tempLog();
    try {
      await appendEvents(log2.log, [...math, ...logic, ...code]);
      await syncLog({ log: log2.log, connection: whole.connection });
      const [a, b] = [db, whole];
      db = b;
      const oneShot = await snapshot();
      db = a;
      expect(incremental).toEqual(oneShot);
    } finally {
      whole.close();
      await log2.dispose();
    }
    expect(await viewRows()).toEqual(expectedRows(await assembled([...math, ...code, ...logic])));
  });

  it('a sync that died after storing rows but before its position adds nothing twice when run again', async () => {
    const { math, code, logic } = smallTrees();
    await appendEvents(env.log, [...math, ...code, ...logic]);
    await sync();
    const before = await snapshot();
    await db.connection.run('DELETE FROM sync_state');
    const again = await sync();
    expect(again.events).toBe(math.length + code.length + logic.length);
    expect(again.duplicates).toBe(again.events);
    expect(await snapshot()).toEqual(before);
    // Died after the events of an open tree were stored but before its pair and the position were: the next
    // sync decides the pair.
    await db.connection.run(`DELETE FROM pair_rows WHERE tree_id = '${logic[0].treeId}'`);
    await db.connection.run('DELETE FROM sync_state');
    expect(await count('pair_rows')).toBe(2);
    expect((await sync()).duplicates).toBe(again.events);
    expect(await snapshot()).toEqual(before);
  });

  it('a sync that fails mid-batch keeps rows and positions of its last commit: resynced, the same tables as one clean sync', async () => {
    const { math, code, logic } = smallTrees();
    const events = [...math, ...code, ...logic];
    // One append (one block) per event, so a damaged byte late in the segment fails the read after some batches.
    for (const e of events) await appendEvents(env.log, [e]);
    const topicDir = join(env.dir, 'log', 'tree-events');
    const [segment] = readdirSync(topicDir).filter((f) => f.endsWith('.avro'));
    const path = join(topicDir, segment);
    const sound = readFileSync(path);
    const damaged = Buffer.from(sound);
    const at = Math.floor(sound.length * 0.7);
    damaged[at] ^= 0xff;
    writeFileSync(path, damaged);
    const batches: number[] = [];
    await expect(
      syncLog({
        log: env.log,
        connection: db.connection,
        batchEvents: 4,
        onBatch: (p) => batches.push(p.events),
      }),
    ).rejects.toThrow(/damaged|corrupt/i);
    expect(batches.length).toBeGreaterThan(0);
    // What was committed is a whole number of batches, its rows exactly those of a clean sync of that prefix.
    const committed = Number((await rows('SELECT max(next_offset) FROM sync_state'))[0][0]);
    expect(committed).toBe(batches.at(-1));
    expect(committed % 4).toBe(0);
    expect(committed).toBeLessThan(events.length);
    const cleanOf = async (slice: readonly TreeEvent[]) => {
      const other = await openAnalyticsDb();
      const otherLog = await tempLog();
      try {
        await appendEvents(otherLog.log, slice);
        await syncLog({ log: otherLog.log, connection: other.connection });
        const saved = db;
        db = other;
        try {
          return {
            tables: await snapshot(),
            valid: await rows('SELECT * FROM action_validity ORDER BY ALL'),
          };
        } finally {
          db = saved;
        }
      } finally {
        other.close();
        await otherLog.dispose();
      }
    };
    const here = async () => ({
      tables: await snapshot(),
      valid: await rows('SELECT * FROM action_validity ORDER BY ALL'),
    });
    expect(await here()).toEqual(await cleanOf(events.slice(0, committed)));
    // The log mended, the next sync goes on from the commit: the same tables as one clean sync of the whole log.
    writeFileSync(path, sound);
    const resumed = await sync();
    expect(resumed.events).toBe(events.length - committed);
    expect(await here()).toEqual(await cleanOf(events));
  });

  it('rebuilds by itself a file an older arboretum synced (older or no layout), and says so', async () => {
    const { math, code, logic } = smallTrees();
    await appendEvents(env.log, [...math, ...code, ...logic]);
    expect((await sync()).rebuilt).toBeUndefined();
    expect(await rows("SELECT value FROM sink_meta WHERE key = 'layout'")).toEqual([
      [String(sinkLayoutVersion)],
    ]);
    const fresh = await snapshot();
    const valid = await rows('SELECT tree_id, node_id, valid FROM nodes ORDER BY ALL');
    expect(valid.some((r) => r[2] === true)).toBe(true);
    // Layout 1: what an arboretum before action_validity left (no layout row, no validity rows).
    for (const old of [null, '1']) {
      await db.connection.run('DELETE FROM sink_meta; DELETE FROM action_validity');
      if (old !== null) await db.connection.run(`INSERT INTO sink_meta VALUES ('layout', '${old}')`);
      expect((await rows('SELECT count(*) FROM nodes WHERE valid'))[0][0]).toBe(0);
      const told: string[] = [];
      const s = await syncLog({ log: env.log, connection: db.connection, onRebuild: (w) => told.push(w) });
      expect(s.rebuilt).toBe(true);
      expect(s.events).toBe(math.length + code.length + logic.length);
      expect(told).toHaveLength(1);
      expect(told[0]).toContain('older arboretum');
      expect(told[0]).toContain(`layout ${sinkLayoutVersion}`);
      if (old !== null) expect(told[0]).toContain('sink layout 1');
      expect(await snapshot()).toEqual(fresh);
      expect(await rows('SELECT tree_id, node_id, valid FROM nodes ORDER BY ALL')).toEqual(valid);
      expect(await rows("SELECT value FROM sink_meta WHERE key = 'layout'")).toEqual([
        [String(sinkLayoutVersion)],
      ]);
      // Stamped: the next sync is incremental again.
      const next = await syncLog({ log: env.log, connection: db.connection, onRebuild: (w) => told.push(w) });
      expect(next.events).toBe(0);
      expect(told).toHaveLength(1);
    }
  });

  it('refuses a file a newer arboretum synced, naming the file and both layouts', async () => {
    const file = join(env.dir, 'newer.duckdb');
    const newer = await openAnalyticsDb({ path: file });
    try {
      await appendEvents(env.log, smallTrees().math);
      await syncLog({ log: env.log, connection: newer.connection });
      const later = sinkLayoutVersion + 1;
      await newer.connection.run(`UPDATE sink_meta SET value = '${later}' WHERE key = 'layout'`);
      const before = (await newer.query('SELECT count(*) FROM tree_opened')).rows;
      const refused = syncLog({ log: env.log, connection: newer.connection });
      await expect(refused).rejects.toThrow(file);
      await expect(syncLog({ log: env.log, connection: newer.connection })).rejects.toThrow(
        `sink layout ${later}; this one knows up to ${sinkLayoutVersion}`,
      );
      // Nothing was touched.
      expect((await newer.query('SELECT count(*) FROM tree_opened')).rows).toEqual(before);
    } finally {
      newer.close();
    }
  });

  it('arboretum sql --db on an older file rebuilds it and says so on stderr; on a newer one it fails naming it', async () => {
    const { math, code, logic } = smallTrees();
    await appendEvents(env.log, [...math, ...code, ...logic]);
    await env.log.close();
    const uri = `file:${join(env.dir, 'log')}`;
    const file = join(env.dir, 'old.duckdb');
    const validOf = async () => {
      const run = await cli([
        'sql',
        '--log',
        uri,
        '--db',
        file,
        '--format',
        'json',
        'SELECT count(*) AS n FROM nodes WHERE valid',
      ]);
      return { ...run, n: run.code === 0 ? JSON.parse(run.stdout).n : undefined };
    };
    const first = await validOf();
    expect(first.code).toBe(0);
    expect(first.n).toBeGreaterThan(0);
    expect(first.stderr).not.toContain('older arboretum');
    const edit = async (sql: string) => {
      const other = await openAnalyticsDb({ path: file });
      try {
        await other.connection.run(sql);
      } finally {
        other.close();
      }
    };
    await edit('DELETE FROM sink_meta; DELETE FROM action_validity');
    const rebuilt = await validOf();
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toContain(`${file} was synced by an older arboretum`);
    expect(rebuilt.stderr).toContain('rebuilding its tables from the log');
    expect(rebuilt.n).toBe(first.n);
    await edit(`UPDATE sink_meta SET value = '${sinkLayoutVersion + 1}' WHERE key = 'layout'`);
    const newer = await validOf();
    expect(newer.code).not.toBe(0);
    expect(newer.stderr).toContain(file);
    expect(newer.stderr).toContain(
      `sink layout ${sinkLayoutVersion + 1}; this one knows up to ${sinkLayoutVersion}`,
    );
  });

  it('follows the log as it grows until stopped', async () => {
    const { math, logic } = smallTrees();
    await appendEvents(env.log, math.slice(0, 4));
    const stop = new AbortController();
    const batches: number[] = [];
    const following = syncLog({
      log: env.log,
      connection: db.connection,
      follow: true,
      signal: stop.signal,
      flushMs: 20,
      onBatch: (p) => batches.push(p.events),
    });
    await expect.poll(() => batches.at(-1), { timeout: 5000 }).toBe(4);
    await appendEvents(env.log, [...math.slice(4), ...logic]);
    await expect.poll(() => batches.at(-1), { timeout: 5000 }).toBe(math.length + logic.length);
    // The text features of every action are stored while it follows, not only when a sync ends.
    expect(await count('action_features')).toBe(await count('turn_executed'));
    expect(await count('action_features')).toBeGreaterThan(0);
    stop.abort();
    const s = await following;
    expect(s.events).toBe(math.length + logic.length);
    expect(await count('pair_rows')).toBe(3);
    expect(await rows('SELECT count(*) FROM trees WHERE closed')).toEqual([[1]]);
  });

  it('agrees with assemble on random logs with repeats, synced in two parts', async () => {
    await fc.assert(
      fc.asyncProperty(logArb, fc.nat(), async ({ log: events }, cut) => {
        const local = await tempLog();
        const local_db = await openAnalyticsDb();
        try {
          const at = cut % (events.length + 1);
          await appendEvents(local.log, events.slice(0, at));
          await syncLog({ log: local.log, connection: local_db.connection, batchEvents: 3 });
          await appendEvents(local.log, events.slice(at));
          await syncLog({ log: local.log, connection: local_db.connection, batchEvents: 7 });
          const [saved, swap] = [db, local_db];
          db = swap;
          try {
            expect(await viewRows()).toEqual(expectedRows(await assembled(events)));
            const distinct = new Set(events.map((e) => e.eventId)).size;
            const stored = Number(
              (
                await rows(
                  'SELECT (SELECT count(*) FROM tree_opened) + (SELECT count(*) FROM strategy_sampled) + (SELECT count(*) FROM turn_executed) + (SELECT count(*) FROM verdict_reached) + (SELECT count(*) FROM critique_emitted) + (SELECT count(*) FROM tree_closed)',
                )
              )[0][0],
            );
            expect(stored).toBe(distinct);
            // `valid` is the sink's isValidAction of each action, as the same fold of the whole log gives it.
            const trees = new Map<string, Tree>();
            for (const e of events)
              trees.set(e.treeId, evolveTree(trees.get(e.treeId) ?? emptyTree(e.treeId), e));
            const expectedValid = [...trees.values()]
              .flatMap((t) => [...t.nodes.values()].map((n) => [t.treeId, n.nodeId, isValidAction(n)]))
              .sort();
            const inView = new Set(
              (await rows('SELECT tree_id, node_id FROM nodes')).map((r) => `${r[0]}/${r[1]}`),
            );
            expect(
              (await rows('SELECT tree_id, node_id, valid FROM nodes ORDER BY ALL')).filter((r) =>
                expectedValid.some((x) => x[0] === r[0] && x[1] === r[1]),
              ),
            ).toEqual(expectedValid.filter((x) => inView.has(`${x[0]}/${x[1]}`)));
          } finally {
            db = saved;
          }
        } finally {
          local_db.close();
          await local.dispose();
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('the sink tables generated from the schema (scripts/genSinkTables.ts)', () => {
  it('are fresh: analytics/sinkTables.sql and pipelines/analyticsSink/{event,decided}Tables.ts are what it gives', () => {
    const out = renderSinkTables();
    const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
    expect(file('analytics/sinkTables.sql')).toBe(out.sql);
    expect(file('pipelines/analyticsSink/eventTables.ts')).toBe(out.ts);
    expect(file('pipelines/analyticsSink/decidedTables.ts')).toBe(out.decidedTs);
  });

  it('turn a new event field into a column, its row value, its rebuild and the upgrade of an older file', () => {
    const withField = (name: string) => {
      const s = structuredClone(readSchemaFile(name)) as any;
      if (name === 'TreeEvent') {
        const turn = s.fields
          .find((f: any) => f.name === 'payload')
          .type.find((t: any) => t.name === 'TurnExecuted');
        turn.fields.push({ name: 'cachedTokens', type: 'int', default: 0 });
      }
      return s;
    };
    const before = renderSinkTables();
    const after = renderSinkTables(withField);
    expect(before.sql).not.toContain('cached_tokens');
    expect(after.sql).toContain(
      'ALTER TABLE turn_executed ADD COLUMN IF NOT EXISTS cached_tokens INTEGER DEFAULT 0;',
    );
    expect(after.sql).toMatch(/CREATE TABLE IF NOT EXISTS turn_executed \([^)]*cached_tokens INTEGER/);
    expect(after.ts).toContain('.push(p.cachedTokens);');
    expect(after.ts).toMatch(/cachedTokens: row\.cached_tokens == null \? 0 : Number\(row\.cached_tokens\)/);
  });

  it('a file made before a column existed is brought up to date and written by column name', async () => {
    const { math } = smallTrees();
    await db.connection.run('DROP TABLE turn_executed');
    // An older layout: fewer columns, in another order.
    await db.connection.run(
      'CREATE TABLE turn_executed (node_id VARCHAR, tree_id VARCHAR, action VARCHAR, part INTEGER, off BIGINT)',
    );
    await db.connection.run(readFileSync(new URL('../../analytics/sinkTables.sql', import.meta.url), 'utf8'));
    await appendEvents(env.log, math);
    await sync();
    const turns = await rows(
      "SELECT node_id, tree_id, action, syntax_ok FROM turn_executed WHERE node_id = 'c1' ORDER BY ALL",
    );
    expect(turns).toEqual([['c1', math[0].treeId, 'Step 1: 2+2=4', true]]);
  });
});
