// Analytics sink and query benchmark: sync rate (events/s, and events per CPU-second) of a synthetic log into a fresh
// DuckDB file beside the in-run reference, DuckDB's row appender writing the same rows (every table the sync filled,
// action_features' text features included, read back from the synced file beforehand) into a fresh file, and the
// latency of strategy_diversity (and the other report queries) on it; medians of several runs. Each sync and each
// reference run is a child process with the CLI's heap flag (bin/arboretum.js: --max-semi-space-size=64, MiB; `--semi-space-mib
// default` for Node's), sync and reference alternating so both see the same load; CPU = user + system of the child
// over the run (DuckDB's threads included), from opening the file to closing it (its last checkpoint).
// Usage: npx tsx bench/analytics.ts [--events 1000000] [--runs 3] [--queries 5] [--action-bytes 100,400]
//                                   [--log-dir DIR (kept and reused when it already holds the events)] [--json]
//                                   [--semi-space-mib 64|default]

import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { lastValueFrom } from 'rxjs';
import { count } from 'rxjs/operators';
import { openAnalyticsDb } from '../analytics/openAnalyticsDb.ts';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import { topics } from '../connectors/log/topics.ts';
import { treeEventsWithoutPrompts } from '../connectors/log/treeEventsWithoutPrompts.ts';
import { createColumnarTable } from '../pipelines/analyticsSink/columnarTable.ts';
import type { ColumnType } from '../pipelines/analyticsSink/eventTable.ts';
import { sinkTables } from '../pipelines/analyticsSink/sinkAppenders.ts';
import { syncLog } from '../pipelines/analyticsSink/syncLog.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
import { printBenchJson } from './printBenchJson.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    queries: { type: 'string', default: '5' },
    'action-bytes': { type: 'string', default: '100,400' },
    'log-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    'semi-space-mib': { type: 'string', default: '64' },
    // Internal: one measured run in this process: `sync` of --log-dir into --db; `raw` or `chunks`: --from's rows into
    // --db by the row appender or by data chunks; `read`: read+decode of --log-dir.
    child: { type: 'string' },
    db: { type: 'string' },
    from: { type: 'string' },
  },
});
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

if (values.child === 'sync') {
  const log = createFileEventLog({ dir: values['log-dir']! });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db = await openAnalyticsDb({ path: values.db! });
  const s = await syncLog({ log, connection: db.connection });
  db.close(); // includes the final checkpoint
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await log.close();
  console.log(JSON.stringify({ seconds: seconds(t0), cpu, events: s.events, pairs: s.pairs, sft: s.sft }));
  process.exit(0);
}
if (values.child === 'raw' || values.child === 'chunks') {
  const rows = await tableRows(values.from!);
  console.log(JSON.stringify(await (values.child === 'raw' ? rawAppend : chunkAppend)(values.db!, rows)));
  process.exit(0);
}
if (values.child === 'read') {
  const log = createFileEventLog({ dir: values['log-dir']! });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // As the sink reads it: without StrategySampled.prompt (pipelines/analyticsSink/syncLog).
  const events = await lastValueFrom(log.read(treeEventsWithoutPrompts).pipe(count()));
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await log.close();
  console.log(JSON.stringify({ seconds: seconds(t0), cpu, events }));
  process.exit(0);
}

const total = Number(values.events);
const runs = Number(values.runs);
const queryRuns = Number(values.queries);
const [minBytes, maxBytes] = values['action-bytes']!.split(',').map(Number);
const work = await mkdtemp(join(tmpdir(), 'arboretum-bench-analytics-'));
const logDir = values['log-dir'] ?? join(work, 'log');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const loadAtStart = load();

// 1. The log: synthetic trees (about 14.8 events a tree, lengths as the paper's T1..T5) up to `total` events.
{
  const log = createFileEventLog({ dir: logDir, fsync: 'never' });
  const have = (await log.endOffsets(topics.treeEvents)).get(0) ?? 0;
  if (have < total) {
    if (have > 0)
      throw new Error(`${logDir} holds ${have} events, fewer than ${total}: give an empty --log-dir`);
    const t0 = performance.now();
    let batch: { value: import('../schemas/types.ts').TreeEvent }[] = [];
    let n = 0;
    for (const value of syntheticTreeEvents({
      trees: Math.ceil(total / 14.5),
      seed: 42,
      actionBytes: [minBytes, maxBytes],
    })) {
      batch.push({ value });
      if (++n === total) break;
      if (batch.length === 10_000) {
        await log.append(topics.treeEvents, batch);
        batch = [];
      }
    }
    if (batch.length) await log.append(topics.treeEvents, batch);
    process.stderr.write(`wrote ${n} events in ${seconds(t0).toFixed(1)} s\n`);
  }
  await log.close();
}
const logBytes = (await createFileEventLog({ dir: logDir }).stat()).find(
  (s) => s.topic === 'tree-events',
)!.bytes;

// 2. Sync into a fresh DuckDB file, `runs` times; then the queries on the last file, `queryRuns` times each.
const syncRates: number[] = [];
const syncSeconds: number[] = [];
// CPU seconds (user + system, all threads: JS and DuckDB's) per sync: steadier than wall time on a shared machine.
const syncCpuRates: number[] = [];
const rawRates: number[] = [];
const rawCpuRates: number[] = [];
// The floors: the same rows by data chunks (no decode, fold or mapping), and read+decode of the log alone.
const chunkRates: number[] = [];
const chunkCpuRates: number[] = [];
const readRates: number[] = [];
const readCpuRates: number[] = [];
let dbFile = '';

interface Rows {
  readonly names: string[];
  readonly types: string[];
  readonly values: unknown[][];
}

/**
 * Every table a sync fills (sinkTables but sync_state, and action_features) with the rows of a synced file, as plain
 * JS values (a list as an array of numbers), with their column types: what a raw appender is handed.
 */
async function tableRows(file: string): Promise<Map<string, Rows>> {
  const db = await openAnalyticsDb({ path: file });
  const out = new Map<string, Rows>();
  // action_features named too: a sink before it was one of sinkTables (the bench run on an older arboretum) filled it.
  for (const t of new Set([...sinkTables, 'action_features'])) {
    if (t === 'sync_state') continue;
    const r = await db.connection.runAndReadAll(`SELECT * FROM ${t}`);
    out.set(t, {
      names: r.columnNames(),
      types: r.columnTypes().map(String),
      values: r.getRowsJS() as unknown[][],
    });
  }
  db.close();
  return out;
}

/** Appends `rows` into a fresh file with DuckDB's row appender (one typed call a value), flushing once a table. */
async function rawAppend(file: string, tables: Map<string, Rows>): Promise<{ seconds: number; cpu: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db = await openAnalyticsDb({ path: file });
  const c: DuckDBConnection = db.connection;
  for (const [table, { types, values }] of tables) {
    const a = await c.createAppender(table);
    for (const row of values) {
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (v === null) a.appendNull();
        else if (types[i] === 'VARCHAR') a.appendVarchar(v as string);
        else if (types[i] === 'INTEGER') a.appendInteger(v as number);
        else if (types[i] === 'BIGINT') a.appendBigInt(v as bigint);
        else if (types[i] === 'DOUBLE') a.appendDouble(v as number);
        else if (types[i] === 'BOOLEAN') a.appendBoolean(v as boolean);
        // A list as its text, cast by DuckDB: the row appender's cheapest way (appendList builds a DuckDB value per
        // element: 3.5x the CPU on 83K lists of 55 hashes, 5.6 s against 1.6 s).
        else if (types[i] === 'UINTEGER[]') a.appendVarchar(`[${(v as number[]).join(',')}]`);
        else throw new Error(`${table}: no reference append for ${types[i]}`);
      }
      a.endRow();
    }
    a.flushSync();
    a.closeSync();
  }
  db.close();
  const cpu = process.cpuUsage(cpu0);
  await rm(file, { force: true });
  return { seconds: seconds(t0), cpu: (cpu.user + cpu.system) / 1e6 };
}
/**
 * Appends `rows` into a fresh file as the sink writes them, by data chunks (createColumnarTable), with no decoding,
 * folding or mapping: the floor of the sink's DuckDB side.
 */
async function chunkAppend(
  file: string,
  tables: Map<string, Rows>,
): Promise<{ seconds: number; cpu: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const db = await openAnalyticsDb({ path: file });
  for (const [table, { names, types, values }] of tables) {
    const w = await createColumnarTable(
      db.connection,
      table,
      names.map((n, i) => [n, types[i] as ColumnType] as const),
    );
    for (const row of values) {
      for (let i = 0; i < row.length; i++) w.columns[i].push(row[i]);
      w.endRow();
    }
    w.flush();
    w.close();
  }
  db.close();
  const cpu = process.cpuUsage(cpu0);
  await rm(file, { force: true });
  return { seconds: seconds(t0), cpu: (cpu.user + cpu.system) / 1e6 };
}

/** Runs one measured run in a child process with the CLI's heap flag; its JSON line. */
function inChild<T>(args: readonly string[]): T {
  const heapFlags =
    values['semi-space-mib'] === 'default' ? [] : [`--max-semi-space-size=${values['semi-space-mib']}`];
  const run = spawnSync(process.execPath, [...heapFlags, '--import', 'tsx', 'bench/analytics.ts', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0)
    throw new Error(`bench/analytics.ts ${args.join(' ')} failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}
/** The rows of this run's synced file into a fresh one, by the row appender (`raw`) or by data chunks (`chunks`). */
const rowsInto = (how: 'raw' | 'chunks', run: number) =>
  inChild<{ seconds: number; cpu: number }>([
    '--child',
    how,
    '--from',
    dbFile,
    '--db',
    join(work, `${how}${run}.duckdb`),
  ]);
let summary = '';
// Sync and reference alternate (sync run r, then the raw appender on run r's rows), so both meet the same load.
for (let run = 0; run < runs; run++) {
  dbFile = join(work, `run${run}.duckdb`);
  const s = inChild<{ seconds: number; cpu: number; events: number; pairs: number; sft: number }>([
    '--child',
    'sync',
    '--log-dir',
    logDir,
    '--db',
    dbFile,
  ]);
  if (s.events !== total) throw new Error(`synced ${s.events} events, expected ${total}`);
  syncRates.push(s.events / s.seconds);
  syncCpuRates.push(s.events / s.cpu);
  syncSeconds.push(s.seconds);
  summary = `${s.pairs} pairs, ${s.sft} SFT rows`;
  process.stderr.write(`sync run ${run + 1}/${runs}: ${s.seconds.toFixed(1)} s, ${s.cpu.toFixed(1)} CPU-s\n`);
  // The reference on the same rows, in the same run: the rows as this sync stored them, read back (not timed) and
  // appended row by row into a fresh file; then the floors (the same rows by data chunks; read+decode alone).
  const raw = rowsInto('raw', run);
  rawRates.push(total / raw.seconds);
  rawCpuRates.push(total / raw.cpu);
  const chunks = rowsInto('chunks', run);
  chunkRates.push(total / chunks.seconds);
  chunkCpuRates.push(total / chunks.cpu);
  const read = inChild<{ seconds: number; cpu: number; events: number }>([
    '--child',
    'read',
    '--log-dir',
    logDir,
  ]);
  if (read.events !== total) throw new Error(`read ${read.events} events, expected ${total}`);
  readRates.push(total / read.seconds);
  readCpuRates.push(total / read.cpu);
  const secs = (r: { seconds: number; cpu: number }) =>
    `${r.seconds.toFixed(1)} s, ${r.cpu.toFixed(1)} CPU-s`;
  process.stderr.write(`raw appender ${secs(raw)}; data chunks ${secs(chunks)}; read+decode ${secs(read)}\n`);
  if (run < runs - 1) await rm(dbFile, { force: true });
}
const dbBytes = (await stat(dbFile)).size;

// An incremental sync with nothing new: loading the stored positions, closed trees and open trees.
const noop: number[] = [];
for (let i = 0; i < 3; i++) {
  const log = createFileEventLog({ dir: logDir });
  const db = await openAnalyticsDb({ path: dbFile });
  const t0 = performance.now();
  const s = await syncLog({ log, connection: db.connection });
  noop.push(seconds(t0));
  if (s.events !== 0) throw new Error(`a second sync read ${s.events} events`);
  db.close();
  await log.close();
}

const queries: Record<string, string> = {
  strategy_diversity: 'SELECT * FROM strategy_diversity',
  pass_rate: 'SELECT * FROM pass_rate',
  tree_length: 'SELECT * FROM tree_length',
  table1: 'SELECT * FROM table1',
  critique_effectiveness: 'SELECT * FROM critique_effectiveness',
  model_contribution: 'SELECT * FROM model_contribution',
  cost: 'SELECT * FROM cost',
};
const latencies: Record<string, { first: number; times: number[] }> = {};
{
  const db = await openAnalyticsDb({ path: dbFile });
  for (const [name, sql] of Object.entries(queries)) {
    const times: number[] = [];
    for (let i = 0; i < queryRuns; i++) {
      const t0 = performance.now();
      await db.query(sql);
      times.push(seconds(t0));
    }
    latencies[name] = { first: times[0], times };
  }
  db.close();
}

const loadAtEnd = load();
console.log(
  `\nload average ${loadAtStart} at the start, ${loadAtEnd} at the end on ${cpus().length} cores; ${total.toLocaleString('en-US')} events (${(logBytes / 2 ** 30).toFixed(2)} GiB of log, actions ${minBytes}-${maxBytes} B; ${summary}); DuckDB file ${(dbBytes / 2 ** 30).toFixed(2)} GiB; ${runs} sync runs, ${queryRuns} runs a query\n`,
);
printTable([
  ['measure', 'median', 'min', 'max'],
  ['sync, fresh file (events/s)', median(syncRates), Math.min(...syncRates), Math.max(...syncRates)],
  ['sync, fresh file (s)', median(syncSeconds), Math.min(...syncSeconds), Math.max(...syncSeconds)],
  ['sync, events per CPU-second', median(syncCpuRates), Math.min(...syncCpuRates), Math.max(...syncCpuRates)],
  ['raw appender, same rows (events/s)', median(rawRates), Math.min(...rawRates), Math.max(...rawRates)],
  [
    'raw appender, events per CPU-second',
    median(rawCpuRates),
    Math.min(...rawCpuRates),
    Math.max(...rawCpuRates),
  ],
  ['data chunks, same rows (events/s)', median(chunkRates), Math.min(...chunkRates), Math.max(...chunkRates)],
  [
    'data chunks, events per CPU-second',
    median(chunkCpuRates),
    Math.min(...chunkCpuRates),
    Math.max(...chunkCpuRates),
  ],
  ['read+decode of the log (events/s)', median(readRates), Math.min(...readRates), Math.max(...readRates)],
  [
    'read+decode, events per CPU-second',
    median(readCpuRates),
    Math.min(...readCpuRates),
    Math.max(...readCpuRates),
  ],
  ['sync / raw appender (medians)', median(syncRates) / median(rawRates), '', ''],
  ['sync / raw appender, CPU (medians)', median(syncCpuRates) / median(rawCpuRates), '', ''],
  ['sync, nothing new (s)', median(noop), Math.min(...noop), Math.max(...noop)],
  ...Object.entries(latencies).map(([name, l]) => [
    `${name} (ms; first ${(l.first * 1000).toFixed(0)})`,
    median(l.times) * 1000,
    Math.min(...l.times) * 1000,
    Math.max(...l.times) * 1000,
  ]),
]);
// The --json line (bench/README.md): the sync beside the raw appender on the same rows, per CPU-second and per second.
const sizes = `${total} events, ${runs} runs; load ${loadAtStart} → ${loadAtEnd}`;
printBenchJson('analytics', [
  {
    name: 'sync (fresh file)',
    rate: median(syncCpuRates),
    unit: 'events/CPU-s',
    reference: 'raw appender, same rows',
    referenceRate: median(rawCpuRates),
    ratio: median(syncCpuRates) / median(rawCpuRates),
    target: 0.8,
    notes: `${sizes}; target 250K events/s`,
  },
  {
    name: 'sync (fresh file) vs data chunks',
    rate: median(syncCpuRates),
    unit: 'events/CPU-s',
    reference: 'data chunks, same rows (no decode/fold)',
    referenceRate: median(chunkCpuRates),
    ratio: median(syncCpuRates) / median(chunkCpuRates),
    notes: `${sizes}; read+decode alone ${Math.round(median(readCpuRates))} events/CPU-s`,
  },
  {
    name: 'sync (fresh file), wall',
    rate: median(syncRates),
    unit: 'events/s',
    reference: 'raw appender, same rows',
    referenceRate: median(rawRates),
    ratio: median(syncRates) / median(rawRates),
    target: 0.8,
    notes: sizes,
  },
]);
await rm(work, { recursive: true, force: true });
