import { type Admin, type Consumer, Kafka, logLevel, PartitionAssigners } from 'kafkajs';
import { lastValueFrom, Observable, reduce } from 'rxjs';
import { ArboretumError, isArboretumError, messageOf } from '../../../schemas/errors.ts';
import type { DeadLetter } from '../../../schemas/types.ts';
import type {
  AppendRecord,
  CheckReport,
  EventLog,
  GroupReadOptions,
  LogDamage,
  LogRecord,
  Positions,
  ReadOptions,
  TopicStat,
} from '../eventLog.ts';
import { formatDamage } from '../formatDamage.ts';
import { type Topic, topicNamed, topicNames, topics } from '../topics.ts';
import { createBatchBufferPool } from './batchBufferPool.ts';
import { commitOffsets } from './commitOffsets.ts';
import { createIdempotentProducer } from './createIdempotentProducer.ts';
import { fetchRecords } from './fetchRecords.ts';
import { kafkaHeadersOf } from './kafkaHeadersOf.ts';
import { logDirSizes } from './logDirSizes.ts';
import { murmur2 } from './murmur2Partition.ts';
import { partitionLeaders } from './partitionLeaders.ts';
import { createBrokerConnections } from './protocol/connection/brokerConnections.ts';
import { RecordBatchWriter } from './protocol/recordBatch/recordBatchWriter.ts';
import { recordOfMessage } from './recordOfMessage.ts';
import { retrying } from './retrying.ts';
import { stickyAssigner } from './stickyAssigner.ts';
import { waitForBroker } from './waitForBroker.ts';

export interface KafkaEventLogOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Default 'arboretum'. */
  readonly clientId?: string;
  /** Partitions of topics this log creates; default 3 (instructions and tree-events always get the same count). */
  readonly partitions?: number;
  /** Replication factor of topics this log creates; default 1. */
  readonly replicationFactor?: number;
  /** Prefix of topic and consumer-group names; default 'arboretum.' (topic `arboretum.tree-events`). */
  readonly namespace?: string;
  /** Longest a following read's fetch waits at the end of a partition, in ms; default 500. */
  readonly maxWaitMs?: number;
  /** Consumer-group session timeout, in ms; default 10000 (a crashed worker's partitions move after this). */
  readonly sessionTimeoutMs?: number;
  /** Bytes of one produce request, at most; default 4 MiB (topics are created with max.message.bytes 16 MiB). */
  readonly maxRequestBytes?: number;
  /** kafkajs' own logging; default nothing (errors reach the caller as ArboretumErrors). */
  readonly logLevel?: logLevel;
  /** Told of every message a read cannot decode (unless the read has its own onDamage); without either, the read fails. */
  readonly onDamage?: (damage: LogDamage) => void;
  /** How long the first connection (and a reconnection after a failure) waits for an unreachable broker, in ms; default 0. */
  readonly brokerWaitMs?: number;
  /** Told while waiting for the broker (waitForBroker.ts). */
  readonly onBrokerWait?: (line: string) => void;
}

/** An append's records in record batches by partition (in order), with each record's key and partition. */
interface Prepared {
  readonly ids: string[];
  readonly partitionOfRecord: Int32Array;
  readonly byPartition: RecordBatchWriter[][];
}

/** Topics that share the key and must share the partition count (co-partitioning). */
const coPartitioned: readonly string[] = [topics.instructions.name, topics.treeEvents.name];
const MAX_MESSAGE_BYTES = 16 << 20;

/**
 * The event log on Apache Kafka: topics `<namespace><topic>` created with kafkajs' admin API; an idempotent
 * producer (acks=all, key = record key, headers = kind and schema fingerprint) and plain fetches from offsets for
 * `read`, both our own requests on our own connections (protocol/; kafkajs' producer and consumer measured
 * 0.16x and 0.30x kcat on our events against ours' 0.5x and more, README.md); a kafkajs consumer group for
 * `readGroup`; group offsets for `commit` (ours outside a group, the member's inside one) and `committed`. Undecodable messages are reported as LogDamage (reads never write) and reading
 * goes on. The broker checks each record batch's CRC-32C itself.
 */
export function createKafkaEventLog(options: KafkaEventLogOptions): EventLog {
  const {
    brokers,
    clientId = 'arboretum',
    partitions = 3,
    replicationFactor = 1,
    namespace = 'arboretum.',
    maxWaitMs = 500,
    sessionTimeoutMs = 10_000,
    maxRequestBytes = 4 << 20,
    onDamage,
  } = options;
  if (!brokers.length || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `kafka brokers ${JSON.stringify(brokers)}: expected host:port, at least one`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `kafka partitions ${partitions}: expected a whole number >= 1`,
    );
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `kafka replicationFactor ${replicationFactor}: expected a whole number >= 1`,
    );
  }
  const uri = `kafka://${brokers.join(',')}`;
  const client = (retry: { initialRetryTime: number; maxRetryTime?: number; retries: number }) =>
    new Kafka({
      brokers: [...brokers],
      clientId,
      connectionTimeout: 3000,
      retry,
      logLevel: options.logLevel ?? logLevel.NOTHING,
    });
  // Admin calls give up after about 3 s of retries.
  const kafka = client({ initialRetryTime: 100, retries: 5 });
  // Group members ride out a broker restart: about 2 minutes of retries (the producer, createIdempotentProducer,
  // does the same with its own resends).
  const durable = client({ initialRetryTime: 100, maxRetryTime: 5000, retries: 25 });
  const kafkaName = (topic: Topic<unknown> | string) =>
    `${namespace}${typeof topic === 'string' ? topic : topic.name}`;
  const groupName = (reader: string) => `${namespace}${reader}`;

  const unavailable = (what: string, e: unknown, topic?: string): ArboretumError =>
    isArboretumError(e)
      ? e
      : new ArboretumError('LOG_UNAVAILABLE', `${uri}: ${what}: ${messageOf(e)}`, {
          retriable: true,
          context: topic ? { topic } : {},
          cause: e,
        });

  let closed = false;
  const lazily = <T>(make: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => {
      if (closed) return Promise.reject(new ArboretumError('LOG_UNAVAILABLE', `${uri}: the log is closed`));
      if (!p) {
        p = make();
        p.catch(() => {
          p = undefined;
        });
      }
      return p;
    };
  };
  let adminMade: Admin | undefined;
  const admin = lazily(async () => {
    // Waits for a broker not reachable yet (i18-scale: connectors/log/kafka/waitForBroker.ts).
    // Each attempt's admin is adminMade at once, so close() disconnects it even while it connects.
    const a = await waitForBroker(
      async () => {
        const attempt = kafka.admin();
        adminMade = attempt;
        await attempt.connect().catch(async (e) => {
          await attempt.disconnect().catch(() => {});
          throw e;
        });
        return attempt;
      },
      { waitMs: options.brokerWaitMs ?? 0, uri, onWait: options.onBrokerWait },
    );
    if (closed) {
      await a.disconnect().catch(() => {});
      throw new ArboretumError('LOG_UNAVAILABLE', `${uri}: the log is closed`);
    }
    return a;
  });
  // Our requests' connections (produce, commit, log dir sizes); each read has its own (fetchRecords).
  const connections = createBrokerConnections({ clientId });
  const leaderCache = new Map<string, Promise<Map<number, string>>>();
  const leaders = (name: string, fresh: boolean) => {
    let p = leaderCache.get(name);
    if (!p || fresh) {
      p = admin().then((a) => partitionLeaders(a, name));
      leaderCache.set(name, p);
      p.catch(() => leaderCache.delete(name));
    }
    return p;
  };
  const producer = createIdempotentProducer({ connections, leaders, uri });
  const batchBuffers = createBatchBufferPool({ bytes: maxRequestBytes, keep: 8 });

  /** Creates the topic (and its co-partitioned sibling) when missing; resolves to its partition count. */
  const ensured = new Map<string, Promise<number>>();
  const ensureOne = (name: string): Promise<number> => {
    let p = ensured.get(name);
    if (!p) {
      p = (async () => {
        const a = await admin();
        try {
          await retrying(() =>
            a.createTopics({
              waitForLeaders: true,
              topics: [
                {
                  topic: kafkaName(name),
                  numPartitions: partitions,
                  replicationFactor,
                  configEntries: [{ name: 'max.message.bytes', value: String(MAX_MESSAGE_BYTES) }],
                },
              ],
            }),
          );
        } catch (e) {
          if (!/already exists/i.test(messageOf(e))) throw e;
        }
        // Just created (here or by another client), the topic may not be in the metadata yet: ask again.
        const { topics: found } = await retrying(() => a.fetchTopicMetadata({ topics: [kafkaName(name)] }));
        return found[0].partitions.length;
      })().catch((e) => {
        ensured.delete(name);
        throw unavailable(`cannot create topic ${kafkaName(name)}`, e, name);
      });
      ensured.set(name, p);
    }
    return p;
  };
  const ensure = async (topic: Topic<unknown>): Promise<number> => {
    if (!coPartitioned.includes(topic.name)) return ensureOne(topic.name);
    const [a, b] = await Promise.all(coPartitioned.map(ensureOne));
    if (a !== b) {
      throw new ArboretumError(
        'INVALID_CONFIG',
        `${uri}: ${kafkaName(coPartitioned[0])} has ${a} partitions but ${kafkaName(coPartitioned[1])} has ${b}: ` +
          'instructions and tree-events must have the same count (co-partitioning)',
      );
    }
    return coPartitioned[0] === topic.name ? a : b;
  };

  // Sends are serialised so that records of one key keep the order of the append calls; the Avro encoding of an
  // append (straight into its record batches) is done beforehand, while earlier sends wait for the broker.
  let appending: Promise<unknown> = Promise.resolve();
  const append = <T>(
    topic: Topic<T>,
    records: readonly AppendRecord<T>[],
  ): Promise<readonly LogRecord<T>[]> => {
    const prepared = prepare(topic, records);
    prepared.catch(() => {});
    const run = appending.then(async () => send(topic, records, await prepared));
    appending = run.catch(() => {});
    return run;
  };
  /** Bytes a record took in its batch, on average over the last append: the first size of the next batches. */
  let recordBytes = 1024;
  /** Encodes an append's records into record batches, by partition: one batch of each partition a round. */
  const prepare = async <T>(topic: Topic<T>, records: readonly AppendRecord<T>[]): Promise<Prepared> => {
    const ids: string[] = new Array(records.length);
    const partitionOfRecord = new Int32Array(records.length);
    if (records.length === 0) return { ids, partitionOfRecord, byPartition: [] };
    const count = await ensure(topic as Topic<unknown>);
    const { codec } = topic;
    const write = (value: T, buf: Buffer, at: number) => codec.encodeInto(value, buf, at);
    // Room for a partition's share of the records, as big as the last append's were: a pooled Buffer of a whole
    // request when that is a good part of one, else one of that size (a small append, often a few events).
    const share = ((records.length / count) * recordBytes * 9) / 8;
    const newBatch = () =>
      new RecordBatchWriter(
        share >= maxRequestBytes / 4 ? batchBuffers.take() : Buffer.allocUnsafe(Math.max(1024, share)),
        maxRequestBytes,
      );
    const byPartition: RecordBatchWriter[][] = Array.from({ length: count }, () => []);
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      try {
        const id = r.key ?? topic.keyOf(r.value);
        const key = Buffer.from(id);
        const partition = (murmur2(key) & 0x7fffffff) % count;
        ids[i] = id;
        partitionOfRecord[i] = partition;
        const headers = kafkaHeadersOf(topic, r.value);
        const batches = byPartition[partition];
        let writer = batches[batches.length - 1];
        if (!writer) {
          writer = newBatch();
          batches.push(writer);
        }
        let before = writer.size;
        // A batch stays under maxRequestBytes (one request each) unless a record alone is bigger: a record that
        // would take it over goes first in a new batch.
        if (!writer.add(key, r.value, write, headers)) {
          writer = newBatch();
          batches.push(writer);
          before = writer.size;
          writer.add(key, r.value, write, headers);
        }
        bytes += writer.size - before;
      } catch (e) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `append to ${topic.name}: record ${i} of this call: ${messageOf(e)}`,
          {
            context: { topic: topic.name },
          },
        );
      }
    }
    recordBytes = bytes / records.length;
    return { ids, partitionOfRecord, byPartition };
  };
  const send = async <T>(
    topic: Topic<T>,
    records: readonly AppendRecord<T>[],
    { ids, partitionOfRecord, byPartition }: Prepared,
  ): Promise<LogRecord<T>[]> => {
    const name = kafkaName(topic);
    const now = Date.now();
    const out: LogRecord<T>[] = new Array(records.length);
    // Round k sends the k-th batch of every partition that has one, each partition on a connection of its own.
    const rounds = Math.max(0, ...byPartition.map((b) => b.length));
    const bases = byPartition.map(() => [] as number[]);
    for (let k = 0; k < rounds; k++) {
      const round = new Map<number, RecordBatchWriter>();
      byPartition.forEach((batches, partition) => {
        if (k < batches.length) round.set(partition, batches[k]);
      });
      let offsets: Map<number, number>;
      try {
        offsets = await producer.send(name, round, now);
      } catch (e) {
        throw unavailable(
          `append to ${name} (batches ${k + 1} of ${rounds} of this call, partitions ${[...round.keys()].join(', ')}; the earlier ones were written)`,
          e,
          topic.name,
        );
      }
      for (const [partition, base] of offsets) bases[partition][k] = base;
      // Written and answered: the next append may write into these Buffers.
      for (const writer of round.values()) batchBuffers.give(writer.buffer);
    }
    // Each record's offset: the base offset of its batch and its place in it (batches hold a partition's records in order).
    const batchOf = new Int32Array(byPartition.length);
    const placeIn = new Int32Array(byPartition.length);
    for (let i = 0; i < records.length; i++) {
      const partition = partitionOfRecord[i];
      const k = batchOf[partition];
      const offset = bases[partition][k] + placeIn[partition];
      if (++placeIn[partition] === byPartition[partition][k].count) {
        batchOf[partition]++;
        placeIn[partition] = 0;
      }
      out[i] = {
        topic: topic.name,
        partition,
        offset,
        key: ids[i],
        timestamp: now,
        value: records[i].value,
      };
    }
    return out;
  };

  /** An undecodable message as the damage it is, to the read's handler, the log's, or (neither) as the read's error. */
  const damageTo =
    (handler: ((d: LogDamage) => void) | undefined, topic: Topic<unknown>) => (deadLetter: DeadLetter) => {
      const d: LogDamage = {
        topic: topic.name,
        partition: deadLetter.partition ?? 0,
        file: `${kafkaName(topic)}/${deadLetter.partition}`,
        reason: deadLetter.reason,
        lost:
          deadLetter.offset === null
            ? undefined
            : { from: Number(deadLetter.offset), until: Number(deadLetter.offset) + 1 },
      };
      const told = handler ?? onDamage;
      if (told) told(d);
      else
        throw new ArboretumError('LOG_CORRUPT', `damaged log: ${formatDamage(d)}`, {
          context: { topic: topic.name },
        });
    };

  // An admin call under way when the log closes reconnects kafkajs' admin after close() disconnected it (a read's
  // start racing an unsubscribe): disconnect again once it is done, or the socket keeps the process alive (i18-scale).
  const afterClose = (a: Admin) => (closed ? a.disconnect().catch(() => {}) : undefined);

  const watermarks = async (topic: Topic<unknown>) => {
    await ensure(topic);
    try {
      const a = await admin();
      // While a new topic's partitions elect their leaders, one of kafkajs' two ListOffsets rounds can come back
      // without the topic, and kafkajs then fails reading its own answer with a TypeError it does not mark
      // retriable ("Cannot destructure property 'partitions' of 'low.pop(...)'": a grow worker of the scale-out
      // test exited on it, 2026-12-01). It is the same passing state as a leader moving, so it is retried as one.
      const name = kafkaName(topic);
      const offsets = await retrying(() =>
        a.fetchTopicOffsets(name).catch((e: unknown) => {
          if (!(e instanceof TypeError)) throw e;
          throw new ArboretumError(
            'LOG_UNAVAILABLE',
            `${uri}: offsets of ${name}: kafkajs read a ListOffsets answer without the topic's partitions (${e.message})`,
            { retriable: true, context: { topic: topic.name }, cause: e },
          );
        }),
      ).finally(() => afterClose(a));
      return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    } catch (e) {
      throw unavailable(`offsets of ${kafkaName(topic)}`, e, topic.name);
    }
  };

  const committed = async (reader: string, topic: Topic<unknown>): Promise<Positions> => {
    await ensure(topic);
    try {
      const a = await admin();
      const [found] = await retrying(() =>
        a.fetchOffsets({ groupId: groupName(reader), topics: [kafkaName(topic)] }),
      ).finally(() => afterClose(a));
      return new Map(
        (found?.partitions ?? [])
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => [p.partition, Number(p.offset)]),
      );
    } catch (e) {
      throw unavailable(`committed offsets of reader ${reader} on ${kafkaName(topic)}`, e, topic.name);
    }
  };

  /** Consumers of readGroup subscriptions in this process, by group and topic: commits for them go through them. */
  const members = new Map<string, Consumer>();
  const memberKey = (group: string, name: string) => `${group}\u0000${name}`;

  const read = <T>(topic: Topic<T>, opts: ReadOptions = {}): Observable<LogRecord<T>> => {
    const t = topic as Topic<unknown>;
    let marks: Promise<{ partition: number; low: number; high: number }[]> | undefined;
    const marksOnce = () => {
      marks ??= watermarks(t);
      return marks;
    };
    return fetchRecords<T>({
      brokers,
      clientId,
      leaders: () => leaders(kafkaName(topic), true),
      kafkaTopic: kafkaName(topic),
      topic,
      maxWaitMs,
      onDeadLetter: damageTo(opts.onDamage, t),
      start: async () => {
        const found = await marksOnce();
        const commits = opts.reader ? await committed(opts.reader, t) : new Map<number, number>();
        const wanted = opts.partitions ? new Set(opts.partitions) : undefined;
        const start = new Map<number, number>();
        for (const { partition, low, high } of found) {
          if (wanted && !wanted.has(partition)) continue;
          const from = typeof opts.from === 'number' ? opts.from : (opts.from?.get(partition) ?? 0);
          start.set(partition, Math.min(Math.max(commits.get(partition) ?? from, low), high));
        }
        return start;
      },
      end: opts.follow
        ? undefined
        : async () => new Map((await marksOnce()).map(({ partition, high }) => [partition, high])),
    });
  };

  const readGroup = <T>(topic: Topic<T>, opts: GroupReadOptions): Observable<LogRecord<T>> =>
    new Observable<LogRecord<T>>((subscriber) => {
      const name = kafkaName(topic);
      const groupId = groupName(opts.group);
      const key = memberKey(groupId, name);
      const onDeadLetter = damageTo(opts.onDamage, topic as Topic<unknown>);
      let consumer: Consumer | undefined;
      let stopped = false;
      // What this member holds, sent on each join so the sticky assigner lets it keep it (i18-scale).
      let held: Record<string, number[]> = {};
      const start = async () => {
        await ensure(topic as Topic<unknown>);
        if (stopped) return;
        consumer = durable.consumer({
          groupId,
          allowAutoTopicCreation: false,
          sessionTimeout: sessionTimeoutMs,
          heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 10)),
          maxWaitTimeInMs: maxWaitMs,
          partitionAssigners: [stickyAssigner(() => held), PartitionAssigners.roundRobin],
        });
        members.set(key, consumer);
        consumer.on(consumer.events.GROUP_JOIN, (e) => {
          const assigned = [...(e.payload.memberAssignment[name] ?? [])].sort((a, b) => a - b);
          held = { [name]: assigned };
          opts.onAssigned?.(assigned);
        });
        consumer.on(consumer.events.CRASH, (e) => {
          if (!e.payload.restart && !stopped)
            subscriber.error(unavailable(`consumer group ${groupId}`, e.payload.error, topic.name));
        });
        await consumer.connect();
        await consumer.subscribe({ topic: name, fromBeginning: true });
        // Unsubscribed while connecting (i18-scale: grow --until-done may stop at once): a consumer run now would join
        // the group after its disconnect and keep the process alive.
        if (stopped) {
          await consumer.disconnect().catch(() => {});
          return;
        }
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              if (stopped) return;
              const decoded = recordOfMessage(topic, batch.partition, {
                offset: Number(message.offset),
                timestamp: Number(message.timestamp),
                key: message.key,
                value: message.value,
              });
              if (decoded.record) subscriber.next(decoded.record);
              else {
                try {
                  onDeadLetter(decoded.deadLetter);
                } catch (e) {
                  // No damage handler: the read fails (as ReadOptions.onDamage says), it does not crash the consumer.
                  stopped = true;
                  subscriber.error(e);
                  return;
                }
              }
            }
          },
        });
        // Unsubscribed while run() was starting: kafkajs goes on joining after a disconnect made meanwhile.
        if (stopped) await consumer.disconnect().catch(() => {});
      };
      start().catch((e) => {
        if (!stopped) subscriber.error(unavailable(`consumer group ${groupId}`, e, topic.name));
      });
      return () => {
        stopped = true;
        if (members.get(key) === consumer) members.delete(key);
        consumer?.disconnect().catch(() => {});
      };
    });

  const commit = async (reader: string, topic: Topic<unknown>, positions: Positions): Promise<void> => {
    if (positions.size === 0) return;
    const name = kafkaName(topic);
    const groupId = groupName(reader);
    const entries = [...positions].map(([partition, offset]) => ({ partition, offset: String(offset) }));
    const member = members.get(memberKey(groupId, name));
    try {
      if (member) {
        await retrying(() => member.commitOffsets(entries.map((e) => ({ topic: name, ...e }))));
        return;
      }
      await ensure(topic);
      await retrying(() =>
        commitOffsets({
          connections,
          bootstrap: brokers[0],
          groupId,
          topic: name,
          partitions: [...positions].map(([partition, offset]) => ({ partition, offset })),
        }),
      );
    } catch (e) {
      throw unavailable(`commit of reader ${reader} on ${name}`, e, topic.name);
    }
  };

  const ourTopics = async (): Promise<string[]> => {
    try {
      // Retried like every admin call: a leadership election (a broker restarting, a loaded machine) passes.
      const a = await admin();
      const all = await retrying(() => a.listTopics());
      return topicNames.filter((t) => all.includes(kafkaName(t)));
    } catch (e) {
      throw unavailable('list topics', e);
    }
  };

  const stat = async (): Promise<readonly TopicStat[]> => {
    const names = await ourTopics();
    const sizes = await logDirSizes(await admin(), connections, names.map(kafkaName)).catch((e) => {
      throw unavailable('log dir sizes', e);
    });
    const out: TopicStat[] = [];
    for (const name of names) {
      const marks = await watermarks(topicNamed(name)!);
      out.push({
        topic: name,
        partitions: marks.length,
        records: marks.reduce((n, m) => n + m.high - m.low, 0),
        bytes: sizes.get(kafkaName(name)) ?? 0,
        damaged: 0,
      });
    }
    return out;
  };

  /**
   * Counts by offsets (low/high watermarks, what the broker holds) and decodes every message as a stream, keeping
   * only a counter and the damage found: bounded memory whatever the topic's size.
   */
  const check = async (): Promise<CheckReport> => {
    const report: CheckReport['topics'][number][] = [];
    for (const name of await ourTopics()) {
      const topic = topicNamed(name)!;
      const marks = await watermarks(topic);
      const damage: LogDamage[] = [];
      let decoded = 0;
      await lastValueFrom(
        read(topic, { onDamage: (d) => damage.push(d) }).pipe(
          reduce((n) => {
            decoded = n + 1;
            return decoded;
          }, 0),
        ),
        { defaultValue: 0 },
      );
      const records = marks.reduce((n, m) => n + m.high - m.low, 0);
      const problems = damage.map(formatDamage);
      if (decoded + damage.length < records)
        problems.push(
          `${records - decoded - damage.length} offsets between the watermarks hold no record (compacted or aborted?)`,
        );
      report.push({ topic: name, records, problems, damage, repaired: [], notes: [] });
    }
    return { ok: report.every((t) => t.problems.length === 0), topics: report };
  };

  return {
    uri,
    append,
    read,
    readGroup,
    partitions: (topic) => ensure(topic),
    async endOffsets(topic) {
      return new Map((await watermarks(topic)).map(({ partition, high }) => [partition, high]));
    },
    commit,
    committed,
    stat,
    // Kafka cannot cut a partition: check reports what does not decode; dead letters carry it on reading.
    check: () => check(),
    async close() {
      if (closed) return;
      await appending;
      closed = true;
      for (const consumer of members.values()) await consumer.disconnect().catch(() => {});
      members.clear();
      connections.closeAll();
      await adminMade?.disconnect().catch(() => {});
    },
  };
}
