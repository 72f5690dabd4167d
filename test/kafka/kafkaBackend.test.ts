import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventLog, LogDamage, LogRecord, ReadOptions } from '../../connectors/log/eventLog.ts';
import { positionsAfter } from '../../connectors/log/eventLog.ts';
import { createKafkaEventLog } from '../../connectors/log/kafka/kafkaEventLog.ts';
import { FINGERPRINT_HEADER, KIND_HEADER } from '../../connectors/log/kafka/kafkaHeadersOf.ts';
import { type Topic, topics } from '../../connectors/log/topics.ts';
import { codecs } from '../../schemas/codec.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { treeIdOf } from '../../schemas/ids.ts';
import { sampleInstruction, sampleTreeEvents } from '../contract/sampleRecords.ts';
import { waitFor } from '../support/waitFor.ts';
import { deleteNamespace, freshNamespace, openTestLog, rawKafka, testBrokers } from './kafkaTestLog.ts';

const readAll = <T>(log: EventLog, topic: Topic<any>, options: ReadOptions = {}): Promise<LogRecord<T>[]> =>
  lastValueFrom(log.read<T>(topic, options).pipe(toArray()));

describe('kafka event log', () => {
  const opened: EventLog[] = [];
  const namespaces: string[] = [];
  const open = async (options = {}) => {
    const namespace = freshNamespace();
    namespaces.push(namespace);
    const log = await openTestLog(namespace, options);
    opened.push(log);
    return { log, namespace };
  };
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close();
    for (const ns of namespaces.splice(0)) await deleteNamespace(ns);
  });

  it('writes arboretum.<topic> with key = tree id, kind and fingerprint headers, single-object values', async () => {
    const { log, namespace } = await open();
    const events = sampleTreeEvents(7);
    const appended = await log.append(
      topics.treeEvents,
      events.map((value) => ({ value })),
    );
    const consumer = (await rawKafka()).consumer({ groupId: `${namespace}raw` });
    const got: { key: string; headers: Record<string, string>; value: Buffer }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: `${namespace}tree-events`, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          got.push({
            key: message.key!.toString(),
            headers: Object.fromEntries(Object.entries(message.headers!).map(([k, v]) => [k, String(v)])),
            value: message.value!,
          });
        },
      });
      await waitFor(() => got.length === events.length, {
        what: 'every event at the raw consumer',
        deadlineMs: 30_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(new Set(appended.map((r) => r.partition)).size).toBe(1);
    expect(got.map((m) => m.key)).toEqual(events.map((e) => e.treeId));
    expect(got.map((m) => m.headers[KIND_HEADER])).toEqual(events.map((e) => e.payload.kind));
    for (const m of got) {
      expect(m.headers[FINGERPRINT_HEADER]).toBe(codecs.TreeEvent.fingerprint.toString('hex'));
      expect([...m.value.subarray(0, 2)]).toEqual([0xc3, 0x01]);
    }
    expect(got.map((m) => codecs.TreeEvent.decode(m.value))).toEqual(events);
  });

  it('co-partitions instructions and tree-events: a tree lands on the same partition number in both', async () => {
    const { log } = await open({ partitions: 4 });
    const instructions = Array.from({ length: 20 }, (_, i) => sampleInstruction(i));
    const a = await log.append(
      topics.instructions,
      instructions.map((value) => ({ value })),
    );
    const b = await log.append(
      topics.treeEvents,
      instructions.map((_, i) => ({ value: sampleTreeEvents(i)[0] })),
    );
    expect(await log.partitions(topics.instructions)).toBe(4);
    expect(await log.partitions(topics.treeEvents)).toBe(4);
    expect(new Set(a.map((r) => r.partition)).size).toBeGreaterThan(1);
    for (let i = 0; i < instructions.length; i++) {
      expect(a[i].key).toBe(treeIdOf(instructions[i].id));
      expect(b[i].key).toBe(a[i].key);
      expect(b[i].partition).toBe(a[i].partition);
    }
  });

  it('refuses to work on instructions and tree-events with different partition counts', async () => {
    const { namespace } = await open();
    const admin = (await rawKafka()).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: `${namespace}instructions`, numPartitions: 2 },
        { topic: `${namespace}tree-events`, numPartitions: 3 },
      ],
    });
    await admin.disconnect();
    const log = await openTestLog(namespace);
    opened.push(log);
    const failure = await log.append(topics.instructions, [{ value: sampleInstruction(1) }]).catch((e) => e);
    expect(isArboretumError(failure, 'INVALID_CONFIG')).toBe(true);
    expect(failure.message).toMatch(/2 partitions.*has 3/);
  });

  it('reports undecodable messages as damage (partition, offset), writes no dead letters, goes on reading', async () => {
    const { log, namespace } = await open({ partitions: 1 });
    await log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    const producer = (await rawKafka()).producer();
    await producer.connect();
    const good = codecs.Instruction.encode(sampleInstruction(2));
    const unknownFingerprint = Buffer.from(good);
    unknownFingerprint[2] ^= 0xff;
    const bad = [
      Buffer.from('not avro at all'),
      unknownFingerprint,
      Buffer.concat([good.subarray(0, 10), Buffer.from([0xff, 0xff, 0xff])]),
    ];
    await producer.send({
      topic: `${namespace}instructions`,
      messages: bad.map((value) => ({ key: 'k', value })),
    });
    await producer.disconnect();
    await log.append(topics.instructions, [{ value: sampleInstruction(3) }]);

    const told: LogDamage[] = [];
    const records = await readAll<{ id: string }>(log, topics.instructions, {
      onDamage: (d: LogDamage) => told.push(d),
    });
    expect(records.map((r) => r.value.id)).toEqual(['sample-1', 'sample-3']);
    expect(told.map((d) => d.lost)).toEqual([1, 2, 3].map((o) => ({ from: o, until: o + 1 })));
    expect(told[0].reason).toMatch(/instructions partition 0 offset 1: .*no C3 01 marker/);
    expect(told[1].reason).toMatch(/unknown writer schema fingerprint/);
    expect(told[2].reason).toMatch(/undecodable body/);
    expect(
      told.every(
        (d) => d.topic === 'instructions' && d.partition === 0 && d.file === `${namespace}instructions/0`,
      ),
    ).toBe(true);

    // Without onDamage the read fails at the first, naming partition and offset: reads never write dead letters.
    const error = await readAll(log, topics.instructions).catch((e) => e);
    expect(isArboretumError(error, 'LOG_CORRUPT')).toBe(true);
    expect(error.message).toMatch(/instructions partition 0 offset 1/);
  });

  it('shares partitions between the members of a consumer group, each record to one member, resuming from commits', async () => {
    const { log, namespace } = await open({ partitions: 4, sessionTimeoutMs: 6000 });
    const other = await openTestLog(namespace, { partitions: 4, sessionTimeoutMs: 6000 });
    opened.push(other);
    const n = 200;
    const got = [new Map<string, LogRecord<{ id: string }>>(), new Map<string, LogRecord<{ id: string }>>()];
    const assigned: number[][] = [[], []];
    const subs = [log, other].map((l, m) =>
      l
        .readGroup(topics.instructions, { group: 'workers', onAssigned: (p) => (assigned[m] = [...p]) })
        .subscribe((r) => got[m].set(`${r.partition}:${r.offset}`, r as LogRecord<{ id: string }>)),
    );
    try {
      // Both members end up with a share and the shares cover the four partitions; records appended then arrive
      // once each, at the member that owns their partition.
      await waitFor(
        () =>
          assigned[0].length > 0 && assigned[1].length > 0 && assigned[0].length + assigned[1].length === 4,
        { what: 'both members sharing the 4 partitions', deadlineMs: 45_000 },
      );
      await log.append(
        topics.instructions,
        Array.from({ length: n }, (_, i) => ({ value: sampleInstruction(i) })),
      );
      await waitFor(() => got[0].size + got[1].size === n, {
        what: `all ${n} records at the members`,
        deadlineMs: 45_000,
      });
      expect(new Set([...got[0].keys(), ...got[1].keys()]).size).toBe(n);
      expect(new Set([...assigned[0], ...assigned[1]])).toEqual(new Set([0, 1, 2, 3]));
      for (const m of [0, 1]) {
        const records = [...got[m].values()];
        expect(records.every((r) => assigned[m].includes(r.partition))).toBe(true);
        await [log, other][m].commit(
          'workers',
          topics.instructions,
          positionsAfter(records.filter((r) => assigned[m].includes(r.partition))),
        );
      }
    } finally {
      for (const s of subs) s.unsubscribe();
    }
    const committed = await log.committed('workers', topics.instructions);
    expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(n);
    // A reader of the same name resumes after the commits: nothing left to read.
    await waitFor(async () => (await readAll(log, topics.instructions, { reader: 'workers' })).length === 0, {
      what: 'nothing left after the commits of group workers',
    });
  });

  it('stat counts records and bytes on disk; check names the partition and offset of what does not decode', async () => {
    const { log, namespace } = await open({ partitions: 1 });
    await log.append(
      topics.instructions,
      Array.from({ length: 5 }, (_, i) => ({ value: sampleInstruction(i) })),
    );
    const producer = (await rawKafka()).producer();
    await producer.connect();
    await producer.send({ topic: `${namespace}instructions`, messages: [{ key: 'x', value: 'garbage' }] });
    await producer.disconnect();
    const stat = await log.stat();
    const instructions = stat.find((s) => s.topic === 'instructions')!;
    expect(instructions).toMatchObject({ partitions: 1, records: 6 });
    expect(instructions.bytes).toBeGreaterThan(5 * 50);
    const report = await log.check();
    expect(report.ok).toBe(false);
    const problems = report.topics.find((t) => t.topic === 'instructions')!.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/instructions partition 0 offset 5: .*offset 5 not served/);
  });

  it('rejects a record its schema cannot encode, naming it, and appends what comes after', async () => {
    const { log } = await open();
    const bad = { ...sampleInstruction(1), task: 'Knitting' } as never;
    const failure = await log
      .append(topics.instructions, [{ value: sampleInstruction(0) }, { value: bad }])
      .catch((e) => e);
    expect(isArboretumError(failure, 'INVALID_INPUT')).toBe(true);
    expect(failure.message).toMatch(/append to instructions: record 1 of this call/);
    await log.append(topics.instructions, [{ value: sampleInstruction(2) }]);
    expect((await readAll<{ id: string }>(log, topics.instructions)).map((r) => r.value.id)).toEqual([
      'sample-2',
    ]);
  });

  it('rejects bad options with clear errors', async () => {
    expect(() => createKafkaEventLog({ brokers: [] })).toThrow(/at least one/);
    expect(() => createKafkaEventLog({ brokers: ['nohostport'] })).toThrow(/host:port/);
    const brokers = await testBrokers();
    expect(() => createKafkaEventLog({ brokers, partitions: 0 })).toThrow(/partitions 0/);
  });

  it('fails an append with LOG_UNAVAILABLE when no broker answers, naming the log', async () => {
    const log = createKafkaEventLog({ brokers: ['127.0.0.1:1'] });
    opened.push(log);
    const failure = await log.endOffsets(topics.instructions).catch((e) => e);
    expect(isArboretumError(failure, 'LOG_UNAVAILABLE')).toBe(true);
    expect(failure.retriable).toBe(true);
    expect(failure.message).toMatch(/kafka:\/\/127\.0\.0\.1:1/);
  });
});
