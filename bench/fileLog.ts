// File log throughput: append (group fsync) and read+decode of 1M realistic tree events, median of N runs, with
// record checksums (the format) and without them (segments as written before checksums), in the same run.
// Usage: npm run bench:log [-- --events 1000000 --runs 5 --batch 1000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lastValueFrom, reduce } from 'rxjs';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import type { FsyncPolicy } from '../connectors/log/file/topicWriter.ts';
import { topics } from '../connectors/log/topics.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
import { codecs } from '../schemas/codec.ts';
import type { TreeEvent } from '../schemas/types.ts';
import { appendConcurrently } from './appendConcurrently.ts';
import { printBenchJson } from './printBenchJson.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    batch: { type: 'string', default: '1000' },
  },
});
const total = Number(values.events);
const runs = Number(values.runs);
const batch = Number(values.batch);

// 100K distinct realistic events (actions 0.5-4 KB), appended round-robin up to `total`.
const distinct: TreeEvent[] = [
  ...syntheticTreeEvents({ trees: Math.ceil(Math.min(total, 100_000) / 14.8), seed: 7 }),
];
const meanBytes =
  distinct.slice(0, 10_000).reduce((a, e) => a + codecs.TreeEvent.encode(e).length, 0) /
  Math.min(distinct.length, 10_000);
console.log(
  `${total.toLocaleString()} events (${distinct.length.toLocaleString()} distinct, mean ${Math.round(meanBytes)} B encoded), batches of ${batch}, ${runs} runs`,
);

async function appendRun(
  dir: string,
  fsync: FsyncPolicy,
  concurrent: number,
  checksums = true,
): Promise<number> {
  const log = createFileEventLog({ dir, fsync, checksums });
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await appendConcurrently({ log, events: distinct, total, batch, appenders: concurrent });
  await log.close();
  lastCpu = total / cpuSeconds(cpu);
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Events per CPU-second of the last run: what a shared, loaded machine disturbs least. */
let lastCpu = 0;
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

async function readRun(dir: string): Promise<number> {
  const log = createFileEventLog({ dir });
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const n = await lastValueFrom(log.read(topics.treeEvents).pipe(reduce((a) => a + 1, 0)));
  const rate = n / (Number(process.hrtime.bigint() - start) / 1e9);
  lastCpu = n / cpuSeconds(cpu);
  await log.close();
  if (n !== total) throw new Error(`read ${n} events, expected ${total}`);
  return rate;
}

const results: Record<string, number[]> = {};
const cpuResults: Record<string, number[]> = {};
const add = (k: string, v: number) => {
  results[k] ??= [];
  results[k].push(v);
  cpuResults[k] ??= [];
  cpuResults[k].push(lastCpu);
};
for (let run = 0; run < runs; run++) {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-bench-'));
  add('append, fsync always (group commit), 1 appender', await appendRun(join(dir, 'a'), 'always', 1));
  add('append, fsync always (group commit), 4 appenders', await appendRun(join(dir, 'b'), 'always', 4));
  add('append, fsync every 100 ms', await appendRun(join(dir, 'c'), { intervalMs: 100 }, 1));
  // Checksums or not: the same appends and reads, alternating (and swapping which goes first), so the load of a
  // shared machine falls on both alike.
  const before = 'no checksums (before)';
  const after = 'checksums (after)';
  for (let k = 0; k < 2; k++) {
    for (const checksums of k % 2 ? [true, false] : [false, true])
      add(
        `append, fsync never, ${checksums ? after : before}`,
        await appendRun(join(dir, `n-${checksums}-${k}`), 'never', 1, checksums),
      );
  }
  for (let k = 0; k < 2; k++) {
    for (const checksums of k % 2 ? [true, false] : [false, true])
      add(
        checksums ? `read + decode + verify, ${after}` : `read + decode, ${before}`,
        await readRun(join(dir, `n-${checksums}-0`)),
      );
  }
  await rm(dir, { recursive: true, force: true });
  process.stderr.write(`run ${run + 1}/${runs} done\n`);
}
const ratio = (a: string, b: string) => median(cpuResults[a]) / median(cpuResults[b]);
console.log(
  `checksums cost (CPU time with / CPU time without - 1, medians): read + decode ${((1 / ratio('read + decode + verify, checksums (after)', 'read + decode, no checksums (before)') - 1) * 100).toFixed(1)}%, append (fsync never) ${((1 / ratio('append, fsync never, checksums (after)', 'append, fsync never, no checksums (before)') - 1) * 100).toFixed(1)}%`,
);
printTable([
  ['operation', 'median events/s', 'median MB/s', 'min events/s', 'max events/s', 'median events/CPU-s'],
  ...Object.entries(results).map(([k, v]) => [
    k,
    median(v),
    (median(v) * meanBytes) / 1e6,
    Math.min(...v),
    Math.max(...v),
    median(cpuResults[k]),
  ]),
]);
// The --json line (bench/README.md): each checksummed rate beside the same operation without checksums, same run.
const row = (name: string, reference: string) => ({
  name,
  rate: Math.round(median(cpuResults[name])),
  unit: 'events/CPU-s',
  reference,
  referenceRate: Math.round(median(cpuResults[reference])),
  ratio: Number((median(cpuResults[name]) / median(cpuResults[reference])).toFixed(3)),
});
printBenchJson('fileLog', [
  row('read + decode + verify, checksums (after)', 'read + decode, no checksums (before)'),
  row('append, fsync never, checksums (after)', 'append, fsync never, no checksums (before)'),
]);
