// Kafka log throughput on a loopback broker: our backend's produce (append) and consume+decode (read) of N tree
// events, each interleaved with kcat's own produce/consume on the same broker (the ceiling): kcat, ours, kcat,
// ours, …, kcat. Each of our runs is divided by the kcat runs on either side of it (geometric mean) and the median
// of those ratios is the figure: on a shared machine kcat's own rate moves 4x between runs, a ratio to the kcat
// run beside it moves much less. CPU per event (user + system) of our process, of kcat and of the broker is
// reported beside each rate: it moves least with the load.
// Like for like: kcat produces the same keys and values, with two headers of the same sizes as ours, with the
// Java/kafkajs murmur2 partitioner (so the same records land in the same partitions), idempotent (acks=all),
// uncompressed; kcat consumes the very topic our first produce wrote (the same records, headers and all) and
// decodes nothing (it writes each value to /dev/null), where our read decodes every value with avsc.
// With --kafkajs, plain kafkajs (its public producer and consumer API) runs on the same events once per run: the
// measure of whether our own protocol code (connectors/log/kafka/protocol/) still earns its keep.
// Usage: npx tsx bench/kafka.ts [--events 200000] [--runs 5] [--batch 10000] [--partitions 3]
//        [--set realistic|small] [--kafka 4.4.0] [--broker-dir DIR] [--only produce|consume] [--kafkajs] [--json]
//        (KAFKA_BROKERS, or --broker-dir (a broker `arboretum kafka start --dir DIR` runs; its CPU is measured
//        too), else a broker of its own, version --kafka, started with `arboretum kafka start`'s launcher).
//        --json ends with one line {"bench":"kafka","rows":[…]} (bench/README.md).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { lastValueFrom, reduce } from 'rxjs';
import type { EventLog } from '../connectors/log/eventLog.ts';
import { KAFKA_VERSION } from '../connectors/log/kafka/broker/brokerJars.ts';
import { brokerState, startBroker } from '../connectors/log/kafka/broker/startBroker.ts';
import { stopBroker } from '../connectors/log/kafka/broker/stopBroker.ts';
import { createKafkaEventLog } from '../connectors/log/kafka/kafkaEventLog.ts';
import { FINGERPRINT_HEADER, KIND_HEADER } from '../connectors/log/kafka/kafkaHeadersOf.ts';
import { topics } from '../connectors/log/topics.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
import { codecs } from '../schemas/codec.ts';
import type { TreeEvent } from '../schemas/types.ts';
import { appendConcurrently } from './appendConcurrently.ts';
import type { BenchRow } from './benchRow.ts';
import { printBenchJson } from './printBenchJson.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '10000' },
    partitions: { type: 'string', default: '3' },
    // 'realistic' (every kind, actions 0.5-4 KB) or 'small' (only events of at most 400 encoded bytes)
    set: { type: 'string', default: 'realistic' },
    kafka: { type: 'string', default: KAFKA_VERSION },
    'broker-dir': { type: 'string' },
    only: { type: 'string' },
    kafkajs: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const runs = Number(values.runs);
const batch = Number(values.batch);
const partitions = Number(values.partitions);
const doProduce = values.only !== 'consume';
const doConsume = values.only !== 'produce';

const dir =
  process.env.KAFKA_BROKERS || values['broker-dir']
    ? ''
    : await mkdtemp(join(tmpdir(), 'arboretum-bench-kafka-'));
const external = values['broker-dir'] ? await brokerState(values['broker-dir']) : undefined;
if (values['broker-dir'] && !external) throw new Error(`no broker.json in ${values['broker-dir']}`);
const brokers =
  process.env.KAFKA_BROKERS?.split(',') ??
  (external
    ? [`127.0.0.1:${external.port}`]
    : [await startBroker({ dir: join(dir, 'broker'), version: values.kafka })]);
const brokerPid = external?.pid ?? (dir ? (await brokerState(join(dir, 'broker')))?.pid : undefined);
const brokerVersion = external?.version ?? (process.env.KAFKA_BROKERS ? 'external' : values.kafka);

/** CPU seconds (user + system) the broker's JVM has used so far; NaN when it is not ours to see. */
const brokerCpu = (): number => {
  if (!brokerPid) return Number.NaN;
  const stat = readFileSync(`/proc/${brokerPid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (CLK_TCK 100)
};

// Up to 100K distinct realistic events, repeated round-robin up to `total`.
const generated = [...syntheticTreeEvents({ trees: Math.ceil(Math.min(total, 100_000) / 14.8), seed: 7 })];
const distinct: TreeEvent[] =
  values.set === 'small' ? generated.filter((e) => codecs.TreeEvent.encode(e).length <= 400) : generated;
const encoded = distinct.map((e) => Buffer.from(codecs.TreeEvent.encode(e)));
const meanBytes = encoded.reduce((a, b) => a + b.length, 0) / encoded.length;
console.log(
  `${total.toLocaleString()} events an operation (${distinct.length.toLocaleString()} distinct, mean ${Math.round(meanBytes)} B encoded), ` +
    `batches of ${batch}, ${partitions} partitions, ${runs} runs interleaved with ${runs + 1} of kcat, broker ${brokers.join(',')} (Kafka ${brokerVersion}), load ${loadavg()[0].toFixed(1)}`,
);

// kcat reads messages from stdin split by a delimiter: random bytes that occur in no value nor key.
const absent = (n: number) => {
  for (;;) {
    const d = Buffer.from(randomBytes(n).map((b) => b || 1)); // kcat takes a NUL as the end of the delimiter
    if (!encoded.some((b) => b.includes(d))) return d;
  }
};
const DELIM = absent(6);
const KEY_DELIM = absent(4);
// kcat's input, written once to a file (1M realistic events are over a gigabyte).
const kcatInput = join(dir || tmpdir(), `kcat-input-${process.pid}.bin`);
{
  const out = createWriteStream(kcatInput);
  for (let i = 0; i < total; i++) {
    const e = distinct[i % distinct.length];
    const ok = out.write(
      Buffer.concat([Buffer.from(e.treeId), KEY_DELIM, encoded[i % encoded.length], DELIM]),
    );
    if (!ok) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}
const hex = (b: Buffer) => [...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('');
// Headers of the sizes ours carry: the longest kind name (CritiqueRejected, 16 B) and the 16 hex digits.
const kcatHeaders = [
  '-H',
  `${KIND_HEADER}=CritiqueRejected`,
  '-H',
  `${FINGERPRINT_HEADER}=${codecs.TreeEvent.fingerprint.toString('hex')}`,
];

/** One timed operation: wall seconds, our process' CPU seconds, the broker's CPU seconds. */
interface Sample {
  readonly seconds: number;
  readonly cpu: number;
  readonly brokerCpu: number;
}

async function timed(run: () => Promise<unknown>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const b0 = brokerCpu();
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const c = process.cpuUsage(cpu0);
  return { seconds, cpu: (c.user + c.system) / 1e6, brokerCpu: brokerCpu() - b0 };
}

/** Runs kcat; its CPU (user + system) comes from the shell's `times` after it exited. */
async function kcat(args: string[], input?: string): Promise<Sample> {
  const stdin = input ? openSync(input, 'r') : 'ignore';
  const b0 = brokerCpu();
  const start = process.hrtime.bigint();
  const child = spawn(
    'bash',
    ['-c', 'kcat "$@"; code=$?; times >&2; exit $code', 'kcat', '-b', brokers.join(','), ...args],
    { stdio: [stdin, 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const [code] = await once(child, 'exit');
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (typeof stdin === 'number') closeSync(stdin);
  // `times`: the shell's user and system time, then its children's (kcat's).
  const times = [...err.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (code !== 0 || times.length < 4) throw new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`);
  return { seconds, cpu: times[times.length - 2] + times[times.length - 1], brokerCpu: brokerCpu() - b0 };
}

const kcatProduce = (topic: string) =>
  kcat(
    [
      '-P',
      '-t',
      topic,
      '-D',
      hex(DELIM),
      '-K',
      hex(KEY_DELIM),
      ...kcatHeaders,
      '-X',
      'enable.idempotence=true',
      '-X',
      'partitioner=murmur2_random',
      '-X',
      'linger.ms=5',
    ],
    kcatInput,
  );
const kcatConsume = (topic: string) => kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s']);

interface Series {
  readonly ours: Sample[];
  readonly kcat: Sample[];
}
const rate = (s: Sample) => total / s.seconds;
const us = (cpu: number) => (cpu / total) * 1e6;
/** Each of our runs over the geometric mean of the kcat runs before and after it. */
const ratios = ({ ours, kcat }: Series) =>
  ours.map((o, i) => rate(o) / Math.sqrt(rate(kcat[i]) * rate(kcat[i + 1])));

try {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  /** A topic for kafkajs' or kcat's rows, made as our log makes its own (16 MiB messages). */
  const createTopic = (topic: string) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: [{ name: 'max.message.bytes', value: String(16 << 20) }],
        },
      ],
    });
  const prefix = `arboretum.bench${Date.now()}.`;
  const produce: Series = { ours: [], kcat: [] };
  const consume: Series = { ours: [], kcat: [] };
  const peers: Record<string, number[]> = {};
  const logs: EventLog[] = [];
  /** A log of its own, its topics made beforehand (topic creation is not produce time). */
  const freshLog = async (name: string) => {
    const log = createKafkaEventLog({ brokers, namespace: `${prefix}${name}.`, partitions });
    await log.partitions(topics.treeEvents);
    logs.push(log);
    return log;
  };
  // The topic every consume reads: our first produce's (or, with --only consume, one filled by ours once).
  const source = await freshLog('source');
  const sourceTopic = `${prefix}source.${topics.treeEvents.name}`;
  if (!doProduce) await appendConcurrently({ log: source, events: distinct, total, batch, appenders: 1 });
  if (doProduce) {
    for (let run = 0; run <= runs; run++) {
      const kcatTopic = `${prefix}kcat${run}`;
      await createTopic(kcatTopic);
      produce.kcat.push(await kcatProduce(kcatTopic));
      await admin.deleteTopics({ topics: [kcatTopic] });
      if (run === runs) break;
      const log = run === 0 ? source : await freshLog(`p${run}`);
      produce.ours.push(
        await timed(() => appendConcurrently({ log, events: distinct, total, batch, appenders: 1 })),
      );
      if (run > 0) {
        await log.close();
        await admin.deleteTopics({
          topics: [
            `${prefix}p${run}.${topics.treeEvents.name}`,
            `${prefix}p${run}.${topics.instructions.name}`,
          ],
        });
      }
      process.stderr.write(
        `produce ${run + 1}/${runs}: ours ${Math.round(rate(produce.ours[run]))}/s, kcat ${Math.round(rate(produce.kcat[run]))}/s\n`,
      );
    }
  }
  if (doConsume) {
    for (let run = 0; run <= runs; run++) {
      consume.kcat.push(await kcatConsume(sourceTopic));
      if (run === runs) break;
      consume.ours.push(
        await timed(async () => {
          const n = await lastValueFrom(source.read(topics.treeEvents).pipe(reduce((a) => a + 1, 0)));
          if (n !== total) throw new Error(`read ${n} events, expected ${total}`);
        }),
      );
      process.stderr.write(
        `consume ${run + 1}/${runs}: ours ${Math.round(rate(consume.ours[run]))}/s, kcat ${Math.round(rate(consume.kcat[run]))}/s\n`,
      );
    }
  }
  if (values.kafkajs) {
    const add = (k: string, s: Sample) => {
      peers[k] = [...(peers[k] ?? []), rate(s)];
    };
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    for (let run = 0; run < runs; run++) {
      const plainTopic = `${prefix}kafkajs${run}`;
      await createTopic(plainTopic);
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      add(
        'kafkajs produce + Avro encode (sendBatch, idempotent, acks=all)',
        await timed(async () => {
          for (let from = 0; from < total; from += batch) {
            const messages = [];
            for (let i = from; i < Math.min(from + batch, total); i++) {
              const e = distinct[i % distinct.length];
              messages.push({ key: e.treeId, value: codecs.TreeEvent.encode(e) });
            }
            await producer.sendBatch({ acks: -1, topicMessages: [{ topic: plainTopic, messages }] });
          }
        }),
      );
      await producer.disconnect();
      await admin.deleteTopics({ topics: [plainTopic] });
      // kafkajs' consumer (a group of one) on what our backend wrote, decoding every value as our read does.
      const consumer = kafka.consumer({ groupId: `${prefix}kafkajs${run}`, maxBytesPerPartition: 4 << 20 });
      await consumer.connect();
      await consumer.subscribe({ topic: sourceTopic, fromBeginning: true });
      add(
        'kafkajs consume + Avro decode (eachBatch)',
        await timed(
          () =>
            new Promise<void>((done, fail) => {
              let n = 0;
              consumer
                .run({
                  autoCommit: false,
                  eachBatch: async ({ batch: b }) => {
                    for (const m of b.messages) if (m.value) codecs.TreeEvent.decode(m.value);
                    n += b.messages.length;
                    if (n >= total) done();
                  },
                })
                .catch(fail);
            }),
        ),
      );
      await consumer.disconnect();
    }
  }
  // The codec alone on the same events, in this process: what encoding and decoding cost without Kafka (CPU).
  const n = Math.min(total, distinct.length);
  const encodeAlone = await timed(async () => {
    for (let i = 0; i < n; i++) codecs.TreeEvent.encode(distinct[i]);
  });
  const decodeAlone = await timed(async () => {
    for (let i = 0; i < n; i++) codecs.TreeEvent.decode(encoded[i]);
  });
  for (const log of logs) await log.close();
  const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  await admin.deleteTopics({ topics: names });
  await admin.disconnect();

  const table: (string | number)[][] = [
    [
      'operation',
      'median events/s',
      'min',
      'max',
      'µs CPU/event (median)',
      'broker µs CPU/event',
      'median ratio to kcat beside it',
      'ratios',
    ],
  ];
  const rows: BenchRow[] = [];
  const report = (name: string, kcatName: string, s: Series) => {
    if (s.ours.length === 0) return;
    const r = ratios(s);
    const line = (label: string, xs: Sample[], ratio: string, each: string) => [
      label,
      median(xs.map(rate)),
      Math.min(...xs.map(rate)),
      Math.max(...xs.map(rate)),
      median(xs.map((x) => us(x.cpu))),
      median(xs.map((x) => us(x.brokerCpu))),
      ratio,
      each,
    ];
    table.push(line(name, s.ours, median(r).toFixed(2), r.map((x) => x.toFixed(2)).join(' ')));
    table.push(line(kcatName, s.kcat, '', ''));
    rows.push({
      name,
      rate: Math.round(median(s.ours.map(rate))),
      unit: 'events/s',
      reference: kcatName,
      referenceRate: Math.round(median(s.kcat.map(rate))),
      ratio: Number(median(r).toFixed(3)),
      target: 0.5,
      notes: `median of ${r.length} ratios to the kcat runs beside each (${r.map((x) => x.toFixed(2)).join(', ')}); our CPU ${median(s.ours.map((x) => us(x.cpu))).toFixed(1)} µs/event, kcat ${median(s.kcat.map((x) => us(x.cpu))).toFixed(1)}; broker ${median(s.ours.map((x) => us(x.brokerCpu))).toFixed(1)} / ${median(s.kcat.map((x) => us(x.brokerCpu))).toFixed(1)}`,
    });
  };
  report('arboretum produce (append, idempotent, acks=all)', 'kcat produce (idempotent, acks=all)', produce);
  report('arboretum consume + Avro decode (read)', 'kcat consume (no decoding)', consume);
  for (const [name, xs] of Object.entries(peers))
    table.push([name, median(xs), Math.min(...xs), Math.max(...xs), '', '', '', '']);
  table.push([
    'Avro encode alone (codec.encode), per CPU-s',
    n / encodeAlone.cpu,
    '',
    '',
    us(encodeAlone.cpu) * (total / n),
    '',
    '',
    '',
  ]);
  table.push([
    'Avro decode alone (codec.decode), per CPU-s',
    n / decodeAlone.cpu,
    '',
    '',
    us(decodeAlone.cpu) * (total / n),
    '',
    '',
    '',
  ]);
  printTable(table);
  console.log(
    `Kafka ${brokerVersion}, mean ${Math.round(meanBytes)} B events, ${partitions} partitions, load at the end ${loadavg()[0].toFixed(1)}`,
  );
  for (const r of rows) console.log(`  ${r.name}: ${r.ratio?.toFixed(2)}x ${r.reference}`);
  printBenchJson('kafka', rows);
} finally {
  await unlink(kcatInput);
  if (dir) {
    await stopBroker(join(dir, 'broker'));
    await rm(dir, { recursive: true, force: true });
  }
}
