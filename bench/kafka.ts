// Kafka log throughput on a loopback broker: our backend's produce (append) and consume+decode (read) of N tree
// events, beside kcat's own produce/consume rate on the same broker (the ceiling); median of several runs.
// Side by side in the same run: plain kafkajs (its public producer and consumer API) on the same events, the
// measure of whether our own protocol code (connectors/log/kafka/protocol/) still earns its keep.
// Usage: npx tsx bench/kafka.ts [--events 1000000] [--runs 3] [--batch 10000] [--set realistic|small]
//        [--kafka 4.4.0] [--json]
//        (uses KAFKA_BROKERS when set, else starts a broker of its own, version --kafka, with `arboretum kafka
//        start`'s launcher). --json ends with one line {"bench":"kafka","rows":[{name,rate,unit,reference,ratio}]}.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { lastValueFrom, reduce } from 'rxjs';
import { KAFKA_VERSION } from '../connectors/log/kafka/broker/brokerJars.ts';
import { startBroker } from '../connectors/log/kafka/broker/startBroker.ts';
import { stopBroker } from '../connectors/log/kafka/broker/stopBroker.ts';
import { createKafkaEventLog } from '../connectors/log/kafka/kafkaEventLog.ts';
import { topics } from '../connectors/log/topics.ts';
import { syntheticTreeEvents } from '../pipelines/synthetic/syntheticTrees.ts';
import { codecs } from '../schemas/codec.ts';
import type { TreeEvent } from '../schemas/types.ts';
import { appendConcurrently } from './appendConcurrently.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '10000' },
    partitions: { type: 'string', default: '3' },
    // 'realistic' (every kind, actions 0.5-4 KB) or 'small' (only events of at most 400 encoded bytes)
    set: { type: 'string', default: 'realistic' },
    kafka: { type: 'string', default: KAFKA_VERSION },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const runs = Number(values.runs);
const batch = Number(values.batch);
const partitions = Number(values.partitions);

const dir = process.env.KAFKA_BROKERS ? '' : await mkdtemp(join(tmpdir(), 'arboretum-bench-kafka-'));
const brokers = process.env.KAFKA_BROKERS?.split(',') ?? [
  await startBroker({ dir: join(dir, 'broker'), version: values.kafka }),
];
const brokerVersion = process.env.KAFKA_BROKERS ? 'external' : values.kafka;

// Up to 100K distinct realistic events, repeated round-robin up to `total`.
const generated = [...syntheticTreeEvents({ trees: Math.ceil(Math.min(total, 100_000) / 14.8), seed: 7 })];
const distinct: TreeEvent[] =
  values.set === 'small' ? generated.filter((e) => codecs.TreeEvent.encode(e).length <= 400) : generated;
const encoded = distinct.map((e) => codecs.TreeEvent.encode(e));
const meanBytes = encoded.reduce((a, b) => a + b.length, 0) / encoded.length;
console.log(
  `${total.toLocaleString()} events (${distinct.length.toLocaleString()} distinct, mean ${Math.round(meanBytes)} B encoded), ` +
    `batches of ${batch}, ${partitions} partitions, ${runs} runs, broker ${brokers.join(',')} (Kafka ${brokerVersion})`,
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

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function kcat(args: string[], input?: string): Promise<void> {
  const stdin = input ? openSync(input, 'r') : 'ignore';
  const child = spawn('kcat', ['-b', brokers.join(','), ...args], { stdio: [stdin, 'ignore', 'inherit'] });
  const [code] = await once(child, 'exit');
  if (typeof stdin === 'number') closeSync(stdin);
  if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited ${code}`);
}

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
  const results: Record<string, number[]> = {};
  const add = (k: string, seconds: number) => {
    results[k] = [...(results[k] ?? []), total / seconds];
  };
  for (let run = 0; run < runs; run++) {
    const namespace = `arboretum.bench${Date.now()}.`;
    const log = createKafkaEventLog({ brokers, namespace, partitions });
    const kafkaTopic = `${namespace}${topics.treeEvents.name}`;
    add(
      'arboretum produce (append, idempotent, acks=all)',
      await timed(() => appendConcurrently({ log, events: distinct, total, batch, appenders: 1 })),
    );
    const log4 = createKafkaEventLog({ brokers, namespace: `${namespace}x.`, partitions });
    add(
      'arboretum produce, 4 concurrent appenders',
      await timed(() => appendConcurrently({ log: log4, events: distinct, total, batch, appenders: 4 })),
    );
    await log4.close();
    add(
      'arboretum consume + Avro decode (read)',
      await timed(async () => {
        const n = await lastValueFrom(log.read(topics.treeEvents).pipe(reduce((a) => a + 1, 0)));
        if (n !== total) throw new Error(`read ${n} events, expected ${total}`);
      }),
    );
    await log.close();
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    const plainTopic = `${namespace}kafkajs`;
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
    // kafkajs' consumer (a group of one) on what our backend wrote, decoding every value as our read does.
    const consumer = kafka.consumer({ groupId: `${namespace}kafkajs`, maxBytesPerPartition: 4 << 20 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafkaTopic, fromBeginning: true });
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
    const kcatTopic = `${namespace}kcat`;
    await createTopic(kcatTopic);
    add(
      'kcat produce (idempotent, acks=all)',
      await timed(() =>
        kcat(
          [
            '-P',
            '-t',
            kcatTopic,
            '-D',
            hex(DELIM),
            '-K',
            hex(KEY_DELIM),
            '-X',
            'enable.idempotence=true',
            '-X',
            'linger.ms=5',
          ],
          kcatInput,
        ),
      ),
    );
    add(
      'kcat consume (no decoding)',
      await timed(() => kcat(['-C', '-t', kcatTopic, '-o', 'beginning', '-e', '-q', '-f', '%s'])),
    );
    // The codec alone on the same events, in this run: what encoding and decoding cost without Kafka.
    const n = Math.min(total, distinct.length);
    add(
      'Avro encode alone (codec.encode)',
      (await timed(async () => {
        for (let i = 0; i < n; i++) codecs.TreeEvent.encode(distinct[i]);
      })) *
        (total / n),
    );
    add(
      'Avro decode alone (codec.decode)',
      (await timed(async () => {
        for (let i = 0; i < n; i++) codecs.TreeEvent.decode(encoded[i]);
      })) *
        (total / n),
    );
    const names = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
    await admin.deleteTopics({ topics: names });
    process.stderr.write(`run ${run + 1}/${runs} done\n`);
  }
  await admin.disconnect();
  printTable([
    ['operation', 'median events/s', 'median MB/s', 'min events/s', 'max events/s'],
    ...Object.entries(results).map(([k, v]) => [
      k,
      median(v),
      (median(v) * meanBytes) / 1e6,
      Math.min(...v),
      Math.max(...v),
    ]),
  ]);
  const KCAT_PRODUCE = 'kcat produce (idempotent, acks=all)';
  const KCAT_CONSUME = 'kcat consume (no decoding)';
  // Each of our rates and kafkajs' beside the kcat rate of the same direction, same run.
  const versus: [string, string][] = [
    ['arboretum produce (append, idempotent, acks=all)', KCAT_PRODUCE],
    ['arboretum produce, 4 concurrent appenders', KCAT_PRODUCE],
    ['kafkajs produce + Avro encode (sendBatch, idempotent, acks=all)', KCAT_PRODUCE],
    ['arboretum consume + Avro decode (read)', KCAT_CONSUME],
    ['kafkajs consume + Avro decode (eachBatch)', KCAT_CONSUME],
  ];
  const rows = versus.map(([name, reference]) => ({
    name,
    rate: Math.round(median(results[name])),
    unit: 'events/s',
    reference,
    referenceRate: Math.round(median(results[reference])),
    ratio: Number((median(results[name]) / median(results[reference])).toFixed(3)),
  }));
  console.log(
    `Kafka ${brokerVersion}, mean ${Math.round(meanBytes)} B events, ${partitions} partitions; ratio to kcat (median of ${runs} runs):`,
  );
  for (const r of rows) console.log(`  ${r.name}: ${r.ratio.toFixed(2)}x ${r.reference}`);
  if (values.json) console.log(JSON.stringify({ bench: 'kafka', rows }));
} finally {
  await unlink(kcatInput);
  if (dir) {
    await stopBroker(join(dir, 'broker'));
    await rm(dir, { recursive: true, force: true });
  }
}
