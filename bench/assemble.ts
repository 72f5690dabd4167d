/**
 * Benchmark of assemble + export: a seeded synthetic log shaped like the paper's data (T1..T5 trajectory lengths,
 * realistic text sizes; pipelines/synthetic) in the file backend, replayed into the exports. Each run is a fresh
 * child process, so peak RSS is per run. Prints a table of medians; rates are events per second of wall time and
 * per second of CPU (user + system of the child, DuckDB's threads included: on a loaded machine the CPU rate is the
 * steadier one), each beside the in-run reference `read` (read + Avro decode of the same log). `--json` adds one
 * final line in the bench/README.md contract.
 *
 * Every stage (the read+decode reference too) runs with the young generation the CLI gives it (bin/arboretum.js'
 * shebang: --max-semi-space-size=64, MiB), so the export figures are the product's; `--semi-space-mib default`
 * measures Node's default instead.
 *
 *   npx tsx bench/assemble.ts [--trees 100000] [--runs 3] [--dir /tmp/arboretum-bench-assemble] [--json]
 *                             [--semi-space-mib 64|default]
 *                             [--stages read,assemble,export-pair,export-all,export-all-log,export-parquet,
 *                                       export-all-parquet,assemble-export]
 *
 * `assemble-export` folds what an export reads (the log without prompt events) into rows and writes none: an export
 * stage's CPU over it is the export's own work (spill, escaping, sort, layout, writes), without the fold.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { count, lastValueFrom, map, tap } from 'rxjs';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import { topics } from '../connectors/log/topics.ts';
import { treeEventsWithoutPrompts } from '../connectors/log/treeEventsWithoutPrompts.ts';
import { assemble } from '../pipelines/assemble/assemble.ts';
import { exportFormats } from '../pipelines/export/exportFormats.ts';
import { exportLog } from '../pipelines/export/exportLog.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
import type { TreeEvent } from '../schemas/types.ts';
import { markdownTable } from './markdownTable.ts';
import { printBenchJson } from './printBenchJson.ts';

const { values } = parseArgs({
  options: {
    trees: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    dir: { type: 'string', default: '/tmp/arboretum-bench-assemble' },
    stages: { type: 'string', default: 'read,assemble,export-pair,export-all,export-all-log,export-parquet' },
    child: { type: 'string' },
    'semi-space-mib': { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const dir = values.dir!;
const semiSpace = values['semi-space-mib']!;
/** V8 heap flags of every child: the CLI's (bin/arboretum.js), fixed at start-up, so set when spawning. */
const heapFlags = semiSpace === 'default' ? [] : [`--max-semi-space-size=${semiSpace}`];
const logDir = join(dir, 'log');

interface Result {
  readonly events: number;
  readonly rows: number;
  readonly ms: number;
  /** CPU time of the run (user + system), ms. */
  readonly cpuMs: number;
  readonly rssMB: number;
  readonly outMB: number;
}

const sizeOf = (path: string): number =>
  existsSync(path)
    ? statSync(path).isDirectory()
      ? readdirSync(path).reduce((s, f) => s + sizeOf(join(path, f)), 0)
      : statSync(path).size
    : 0;

async function child(stage: string): Promise<Result> {
  const log = createFileEventLog({ dir: logDir, fsync: 'never' });
  const events = () => log.read(topics.treeEvents).pipe(map((r) => r.value));
  // What `arboretum export` reads without --system-prompt actor (cli/commands/export.ts): no prompts.
  const exportEvents = () => log.read(treeEventsWithoutPrompts).pipe(map((r) => r.value));
  const out = join(dir, `out-${stage}`);
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let n = 0;
  let rows = 0;
  const all = [...exportFormats.values()];
  const targetsOf = (names: readonly string[], ext: string) =>
    names.map((name) => ({ format: exportFormats.get(name)!, out: join(out, `${name}.${ext}`) }));
  if (stage === 'read') {
    n = await lastValueFrom(log.read(topics.treeEvents).pipe(count()));
  } else if (stage === 'assemble' || stage === 'assemble-export') {
    // assemble: the whole topic; assemble-export: what an export reads (no prompt events).
    rows = await lastValueFrom(
      (stage === 'assemble' ? events() : exportEvents()).pipe(
        tap(() => n++),
        assemble(),
        count(),
      ),
    );
  } else {
    const plan: Record<string, { targets: ReturnType<typeof targetsOf>; order: 'canonical' | 'log' }> = {
      'export-pair': { targets: targetsOf(['ultrainteract-pair'], 'jsonl'), order: 'canonical' },
      'export-all': {
        targets: targetsOf(
          all.map((f) => f.name),
          'jsonl',
        ),
        order: 'canonical',
      },
      'export-all-log': {
        targets: targetsOf(
          all.map((f) => f.name),
          'jsonl',
        ),
        order: 'log',
      },
      'export-parquet': { targets: targetsOf(['trl-dpo'], 'parquet'), order: 'canonical' },
      'export-all-parquet': {
        targets: targetsOf(
          all.map((f) => f.name),
          'parquet',
        ),
        order: 'canonical',
      },
    };
    const p = plan[stage];
    if (!p) throw new Error(`unknown stage ${stage}`);
    const result = await exportLog({ events: exportEvents(), targets: p.targets, order: p.order });
    n = result.events;
    rows = result.outputs.reduce((s, o) => s + o.rows, 0);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  await log.close();
  const outMB = sizeOf(out) / 2 ** 20;
  rmSync(out, { recursive: true, force: true });
  return { events: n, rows, ms, cpuMs, rssMB: process.resourceUsage().maxRSS / 1024, outMB };
}

async function ensureLog(trees: number): Promise<{ events: number; bytes: number; ms: number }> {
  const marker = join(dir, 'params.json');
  const want = JSON.stringify({ trees, seed: 1 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) {
    return { events: -1, bytes: sizeOf(logDir), ms: 0 };
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const log = createFileEventLog({ dir: logDir, fsync: 'never' });
  let batch: { value: TreeEvent }[] = [];
  let events = 0;
  for (const value of syntheticTreeEvents({ trees, seed: 1 })) {
    batch.push({ value });
    events++;
    if (batch.length >= 5000) {
      await log.append(topics.treeEvents, batch);
      batch = [];
    }
  }
  if (batch.length) await log.append(topics.treeEvents, batch);
  await log.close();
  writeFileSync(marker, want);
  return { events, bytes: sizeOf(logDir), ms: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values.child) {
  console.log(JSON.stringify(await child(values.child)));
} else {
  const trees = Number(values.trees);
  const runs = Number(values.runs);
  const gen = await ensureLog(trees);
  console.log(
    gen.ms
      ? `log: ${trees} trees, ${gen.events} events, ${(gen.bytes / 2 ** 20).toFixed(0)} MiB, written in ${(gen.ms / 1000).toFixed(1)} s`
      : `log: reusing ${logDir} (${(gen.bytes / 2 ** 20).toFixed(0)} MiB)`,
  );
  const rows: string[][] = [];
  const measured: {
    stage: string;
    events: number;
    rows: number;
    ms: number;
    cpuMs: number;
    rssMB: number;
  }[] = [];
  // Rounds, not stage after stage: each round runs every stage once, so a stage and the reference see the same
  // machine (its load and its spare core for V8's GC helpers move over minutes; the CPU a run counts moves with
  // them), and each stage's ratio is the median of its rounds' ratios to that round's read.
  const stages = values.stages!.split(',');
  const resultsOf = new Map<string, Result[]>(stages.map((s) => [s, []]));
  const failed = new Set<string>();
  for (let r = 0; r < runs; r++) {
    for (const stage of stages) {
      if (failed.has(stage)) continue;
      const run = spawnSync(
        process.execPath,
        [...heapFlags, '--import', 'tsx', 'bench/assemble.ts', '--child', stage, '--dir', dir],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (run.status !== 0) {
        console.error(`${stage} failed: ${run.stderr.slice(0, 2000)}`);
        failed.add(stage);
        continue;
      }
      resultsOf.get(stage)!.push(JSON.parse(run.stdout.trim().split('\n').pop()!));
      process.stderr.write('.');
    }
  }
  const readRuns = failed.has('read') ? [] : (resultsOf.get('read') ?? []);
  /** Median over the rounds of read+decode's CPU over the stage's (null without a read in every round). */
  const ratioOf = (stage: string): number | null => {
    const own = resultsOf.get(stage)!;
    if (failed.has(stage) || readRuns.length !== own.length || !own.length) return null;
    return median(own.map((x, i) => readRuns[i].cpuMs / x.cpuMs));
  };
  const ratios = new Map<string, number | null>();
  for (const stage of stages) {
    const results = failed.has(stage) ? [] : resultsOf.get(stage)!;
    if (!results.length) {
      rows.push([stage, '-', '-', 'failed', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const ms = median(results.map((r) => r.ms));
    const cpuMs = median(results.map((r) => r.cpuMs));
    const { events, rows: out } = results[0];
    const rssMB = Math.max(...results.map((r) => r.rssMB));
    measured.push({ stage, events, rows: out, ms, cpuMs, rssMB });
    ratios.set(stage, ratioOf(stage));
    const ratio = ratios.get(stage)?.toFixed(2) ?? '-';
    rows.push([
      stage,
      String(events),
      String(out),
      (ms / 1000).toFixed(2),
      Math.round((events / ms) * 1000).toLocaleString('en'),
      (cpuMs / 1000).toFixed(2),
      Math.round((events / cpuMs) * 1000).toLocaleString('en'),
      ratio,
      rssMB.toFixed(0),
      results[0].outMB.toFixed(0),
    ]);
    process.stderr.write(` ${rows.at(-1)!.join(' | ')}\n`);
  }
  process.stderr.write('\n');
  const head = [
    'stage',
    'events',
    'rows out',
    'median s',
    'events/s',
    'median CPU s',
    'events/CPU-s',
    '× read (CPU)',
    'peak RSS MiB',
    'output MiB',
  ];
  for (const l of markdownTable(head, rows)) console.log(l);
  console.log(
    `(${trees} trees, ${runs} rounds of every stage, median wall and CPU time, max peak RSS; × read = median over the rounds of the CPU rate over that round's read+decode; every stage with ${heapFlags.length ? `node ${heapFlags.join(' ')} (the CLI's flag)` : "Node's default heap flags"}; ${new Date().toISOString()})`,
  );
  const read = measured.find((m) => m.stage === 'read');
  const rate = (m: { events: number; cpuMs: number }) => Math.round((m.events / m.cpuMs) * 1000);
  // The issue's targets, as ratios to read+decode: one format 0.5, all of them in one pass 0.3.
  const targets: Record<string, number> = {
    assemble: 0.5,
    'export-pair': 0.5,
    'export-parquet': 0.5,
    'export-all': 0.3,
    'export-all-log': 0.3,
    'export-all-parquet': 0.3,
  };
  printBenchJson(
    'assemble',
    measured
      .filter((m) => m.stage !== 'read')
      .map((m) => ({
        name: m.stage,
        rate: rate(m),
        unit: 'events/CPU-s',
        reference: read ? 'read+decode (file log)' : null,
        referenceRate: read ? rate(read) : null,
        ratio: read ? Number(ratios.get(m.stage)?.toFixed(3) ?? Number.NaN) : null,
        target: targets[m.stage],
        notes: `${trees} trees; ${heapFlags.join(' ') || 'default heap'}; wall ${Math.round((m.events / m.ms) * 1000)} events/s; peak RSS ${Math.round(m.rssMB)} MiB`,
      })),
  );
}
