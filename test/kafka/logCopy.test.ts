import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { EventLog, LogRecord } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { type Topic, topicNamed, topicNames, topics } from '../../connectors/log/topics.ts';
import { copyLog } from '../../pipelines/copy/copyLog.ts';
import type { DeadLetter } from '../../schemas/types.ts';
import { sampleInstruction, sampleTreeEvents } from '../contract/sampleRecords.ts';
import { deleteNamespace, freshNamespace, openTestLog, testBrokers } from './kafkaTestLog.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/arboretum.js');
const names = ['instructions', 'tree-events', 'dead-letters'] as const;

const readAll = (log: EventLog, topic: Topic<any>): Promise<LogRecord<unknown>[]> =>
  lastValueFrom(log.read(topic).pipe(toArray()));

/** A file log holding instructions, the events of several trees, and a dead letter with raw bytes. */
async function sourceLog(dir: string): Promise<EventLog> {
  const log = createFileEventLog({ dir, fsync: 'never' });
  await log.append(
    topics.instructions,
    Array.from({ length: 30 }, (_, i) => ({ value: sampleInstruction(i) })),
  );
  for (let n = 0; n < 30; n++)
    await log.append(
      topics.treeEvents,
      sampleTreeEvents(n, `Step 1: ✓ ${'x'.repeat(n * 50)}`).map((value) => ({ value })),
    );
  const letter: DeadLetter = {
    topic: 'instructions',
    partition: 0,
    offset: null,
    source: 'input.jsonl:3',
    key: null,
    reason: 'input.jsonl:3: not JSON',
    payload: Buffer.from([0, 1, 2, 255]),
    time: 1_700_000_000_000,
  };
  await log.append(topics.deadLetters, [{ value: letter }]);
  return log;
}

const simple = (r: LogRecord<unknown>) => ({ key: r.key, value: r.value });
const perKey = (records: LogRecord<unknown>[]) => {
  const byKey = new Map<string, unknown[]>();
  for (const r of records) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.value]);
  return byKey;
};

describe('file → kafka → file', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  for (const partitions of [1, 3]) {
    it(`keeps every record identical (${partitions} partition${partitions > 1 ? 's' : ''})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'arboretum-copy-'));
      const namespace = freshNamespace();
      cleanup.push(
        () => rm(dir, { recursive: true, force: true }),
        () => deleteNamespace(namespace),
      );
      const a = await sourceLog(join(dir, 'a'));
      const kafka = await openTestLog(namespace, { partitions });
      const b = createFileEventLog({ dir: join(dir, 'b'), fsync: 'never' });
      cleanup.push(
        () => a.close(),
        () => kafka.close(),
        () => b.close(),
      );

      expect(await copyLog(a, kafka, names)).toEqual(
        new Map([
          ['instructions', 30],
          ['tree-events', 180],
          ['dead-letters', 1],
        ]),
      );
      await copyLog(kafka, b, names);
      for (const name of names) {
        const topic = topicNamed(name)!;
        const before = await readAll(a, topic);
        const after = await readAll(b, topic);
        expect(after).toHaveLength(before.length);
        // Each record's bytes are the same; with one partition the order is too, with several the order per key.
        const bytes = (rs: LogRecord<unknown>[]) =>
          rs.map((r) => topic.codec.encode(r.value).toString('hex')).sort();
        expect(bytes(after)).toEqual(bytes(before));
        if (partitions === 1) expect(after.map(simple)).toEqual(before.map(simple));
        else expect(perKey(after)).toEqual(perKey(before));
      }
    });
  }

  it('works through the CLI: arboretum log copy, stat, check and read with --log kafka://', async ({
    skip,
  }) => {
    // The CLI's kafka:// URI uses the default namespace 'arboretum.': only on the run's own broker, never on a
    // KAFKA_BROKERS cluster that may hold real data. Reported skipped there, never passed empty.
    skip(
      !!inject('kafkaBrokers'),
      "KAFKA_BROKERS is set: the CLI's kafka:// URI would write the default namespace",
    );
    const dir = await mkdtemp(join(tmpdir(), 'arboretum-copy-cli-'));
    cleanup.push(
      () => rm(dir, { recursive: true, force: true }),
      () => deleteNamespace('arboretum.', topicNames),
    );
    await (await sourceLog(join(dir, 'a'))).close();
    const uri = `kafka://${(await testBrokers()).join(',')}`;
    const cli = (...args: string[]) => run(process.execPath, [bin, 'log', ...args], { encoding: 'utf8' });
    const there = await cli('copy', '--from', `file:${join(dir, 'a')}`, '--to', uri);
    expect(there.stdout).toMatch(/tree-events: copied 180 records/);
    const stat = await cli('stat', '--json', '--log', uri);
    expect(stat.stdout).toMatch(/tree-events/);
    expect((await cli('check', '--log', uri)).stdout).toMatch(/^ok$/m);
    const read = await cli('read', '--topic', 'instructions', '--limit', '3', '--with-offsets', '--log', uri);
    expect(read.stdout.trim().split('\n')).toHaveLength(3);
    await cli('copy', '--from', uri, '--to', `file:${join(dir, 'b')}`);
    const a = createFileEventLog({ dir: join(dir, 'a'), fsync: 'never' });
    const b = createFileEventLog({ dir: join(dir, 'b'), fsync: 'never' });
    cleanup.push(
      () => a.close(),
      () => b.close(),
    );
    for (const name of names) {
      const topic = topicNamed(name)!;
      expect(perKey(await readAll(b, topic))).toEqual(perKey(await readAll(a, topic)));
    }
  });
});
