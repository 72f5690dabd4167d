// Resumable append benchmark: `log append` of a JSONL file of instructions (default 500k lines) into a file log —
// the previous append (no index, the reference), the idempotent one on an empty log, its rerun after a crash half
// way, and its rerun when everything is there. Reports CPU time per line (user + system of this process, so less
// swayed by other load on a shared machine than wall time) and wall lines/s, medians of N runs, and the memory the
// index of the log takes.
// Usage: node --expose-gc --import tsx bench/append.ts [--lines 500000] [--runs 3]
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { EventLog } from '../connectors/log/eventLog.ts';
import { createFileEventLog } from '../connectors/log/file/fileEventLog.ts';
import { type Topic, topics } from '../connectors/log/topics.ts';
import { appendJsonLines } from '../pipelines/append/appendJsonLines.ts';
import { indexTopic } from '../pipelines/append/indexTopic.ts';
import { fromJson } from '../schemas/codec.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '500000' }, runs: { type: 'string', default: '3' } },
});
const total = Number(values.lines);
const runs = Number(values.runs);

/** The append before it was made resumable: parse, validate, append in batches of 1000; no index. */
async function appendWithoutIndex(log: EventLog, topic: Topic<unknown>, file: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let batch: { value: unknown }[] = [];
  let appended = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    batch.push({ value: fromJson(topic.codec, JSON.parse(line)) });
    if (batch.length >= 1000) {
      appended += (await log.append(topic, batch)).length;
      batch = [];
    }
  }
  if (batch.length) appended += (await log.append(topic, batch)).length;
  return appended;
}

const work = await mkdtemp(join(tmpdir(), 'arboretum-bench-append-'));
const row = (i: number) =>
  JSON.stringify({
    id: `gsm8k-${i}`,
    task: 'Math_CoT',
    dataset: 'GSM8K',
    instruction: `Problem ${i}: ${'A farmer has some apples and sells a few of them at the market. '.repeat(1 + (i % 8))}`,
    reference: { answer: String(i % 97), solution: 'Step 1: count. Step 2: subtract.' },
    metadata: { split: 'train', row: String(i) },
  });
const file = join(work, 'instructions.jsonl');
const half = join(work, 'half.jsonl');
await writeFile(file, `${Array.from({ length: total }, (_, i) => row(i)).join('\n')}\n`);
await writeFile(half, `${Array.from({ length: total / 2 }, (_, i) => row(i)).join('\n')}\n`);
const topic = topics.instructions as Topic<unknown>;
/** Starts a measurement; its result is wall seconds and CPU µs per line of the whole file. */
const start = () => {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpuPerLine: (c.user + c.system) / total };
  };
};

const results: Record<string, { rate: number[]; cpu: number[] }> = {};
const add = (k: string, m: { wall: number; cpuPerLine: number }) => {
  results[k] ??= { rate: [], cpu: [] };
  results[k].rate.push(total / m.wall);
  results[k].cpu.push(m.cpuPerLine);
};
let indexHeapMB = 0;
for (let r = 0; r < runs; r++) {
  const dirs = ['ref', 'new', 'crash'].map((d) => join(work, `${d}-${r}`));
  {
    const log = createFileEventLog({ dir: dirs[0], fsync: 'never' });
    const done = start();
    await appendWithoutIndex(log, topic, file);
    add('previous append (no index), empty log', done());
    await log.close();
  }
  {
    const log = createFileEventLog({ dir: dirs[1], fsync: 'never' });
    let done = start();
    const first = await appendJsonLines(log, topic, file);
    add('idempotent append, empty log', done());
    done = start();
    const again = await appendJsonLines(log, topic, file);
    add('idempotent rerun, all on the log (skipped)', done());
    if (first.appended !== total || again.alreadyOnLog !== total) throw new Error('counts wrong');
    const used = () => {
      globalThis.gc?.();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    const { index } = await indexTopic(log, topic);
    indexHeapMB = (used() - before) / 1e6;
    if (index.size !== total) throw new Error('index size wrong');
    await log.close();
  }
  {
    const log = createFileEventLog({ dir: dirs[2], fsync: 'never' });
    await appendJsonLines(log, topic, half);
    const done = start();
    const rest = await appendJsonLines(log, topic, file);
    add('idempotent rerun after a crash half way', done());
    if (rest.appended !== total / 2) throw new Error('resume wrong');
    await log.close();
  }
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  process.stderr.write(`run ${r + 1}/${runs} done\n`);
}
const ref = median(results['previous append (no index), empty log'].cpu);
const perRecord = ((indexHeapMB * 1e6) / total).toFixed(0);
console.log(
  `${total.toLocaleString()} lines, ${runs} runs; index of the log: ${indexHeapMB.toFixed(0)} MB (${perRecord} B a record)` +
    (globalThis.gc ? '' : ' (run node with --expose-gc for this figure)'),
);
printTable([
  [
    'operation',
    'median CPU µs/line',
    'CPU vs previous append',
    'median wall lines/s',
    'min lines/s',
    'max lines/s',
  ],
  ...Object.entries(results).map(([k, v]) => [
    k,
    median(v.cpu),
    median(v.cpu) / ref,
    median(v.rate),
    Math.min(...v.rate),
    Math.max(...v.rate),
  ]),
]);
await rm(work, { recursive: true, force: true });
