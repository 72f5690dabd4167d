import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogDamage, LogRecord, ReadOptions } from '../../connectors/log/eventLog.ts';
import { positionsAfter } from '../../connectors/log/eventLog.ts';
import { type Topic, topics } from '../../connectors/log/topics.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import type { DeadLetter } from '../../schemas/types.ts';
import { waitFor } from '../support/waitFor.ts';
import { sampleInstruction, sampleTreeEvents } from './sampleRecords.ts';

/** A fresh, empty log for one test, and a way to open the same log again after closing it. */
export interface LogUnderTest {
  readonly log: EventLog;
  reopen(): Promise<EventLog>;
  cleanup(): Promise<void>;
  /**
   * Puts one record on the instructions topic (after what is there) that no read can serve, the way the backend's
   * data goes bad: the file backend appends one and flips a byte of it on disk (its checksum fails); Kafka gets
   * bytes from another producer that are no Avro Instruction. Says where it is.
   */
  spoilInstruction(): Promise<{ readonly partition: number; readonly offset: number }>;
}

const readAll = <T = any>(
  log: EventLog,
  topic: Topic<any>,
  options: ReadOptions = {},
): Promise<LogRecord<T>[]> => lastValueFrom(log.read<T>(topic, options).pipe(toArray()));

const byPartitionOffset = (a: LogRecord<unknown>, b: LogRecord<unknown>) =>
  a.partition - b.partition || a.offset - b.offset;

/** The behaviour every EventLog backend must show. `factory` gives a fresh empty log per test. */
export function describeEventLog(name: string, factory: () => Promise<LogUnderTest>): void {
  describe(`EventLog contract: ${name}`, () => {
    let subject: LogUnderTest;
    let extra: EventLog[] = [];

    beforeEach(async () => {
      subject = await factory();
      extra = [];
    });
    afterEach(async () => {
      for (const log of extra) await log.close();
      await subject.log.close();
      await subject.cleanup();
    });

    it('appends records and reads them back whole, with contiguous offsets per partition', async () => {
      const values = Array.from({ length: 25 }, (_, i) => sampleInstruction(i));
      const appended = await subject.log.append(
        topics.instructions,
        values.map((value) => ({ value })),
      );
      expect(appended.map((r) => r.value.id)).toEqual(values.map((v) => v.id));
      const read = await readAll(subject.log, topics.instructions);
      expect(read).toHaveLength(25);
      expect(new Set(read.map((r) => r.value.id))).toEqual(new Set(values.map((v) => v.id)));
      for (const r of read) {
        expect(r.value).toEqual(values.find((v) => v.id === r.value.id));
        expect(r.key).toBe(topics.instructions.keyOf(r.value));
      }
      const perPartition = new Map<number, number[]>();
      for (const r of read.sort(byPartitionOffset))
        perPartition.set(r.partition, [...(perPartition.get(r.partition) ?? []), r.offset]);
      for (const offsets of perPartition.values())
        expect(offsets).toEqual(offsets.map((_, i) => offsets[0] + i));
      const ends = await subject.log.endOffsets(topics.instructions);
      expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(25);
    });

    it('round-trips every tree event kind and large payloads', async () => {
      const big = 'x'.repeat(4096) + ' Step 1: ✓ ünïcode';
      const events = [...sampleTreeEvents(1, big), ...sampleTreeEvents(2)];
      await subject.log.append(
        topics.treeEvents,
        events.map((value) => ({ value })),
      );
      const read = await readAll<(typeof events)[number]>(subject.log, topics.treeEvents);
      const got = read.map((r) => r.value).sort((a, b) => a.eventId.localeCompare(b.eventId));
      expect(got).toEqual([...events].sort((a, b) => a.eventId.localeCompare(b.eventId)));
    });

    it('keeps the order of records with the same key across batches', async () => {
      for (let batch = 0; batch < 5; batch++) {
        const events = [1, 2, 3].flatMap((n) =>
          sampleTreeEvents(n).map((e) => ({ ...e, seq: e.seq + 10 * batch })),
        );
        await subject.log.append(
          topics.treeEvents,
          events.map((value) => ({ value })),
        );
      }
      const read = await readAll<ReturnType<typeof sampleTreeEvents>[number]>(subject.log, topics.treeEvents);
      expect(read).toHaveLength(90);
      const byKey = new Map<string, LogRecord<{ seq: number }>[]>();
      for (const r of read) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
      for (const records of byKey.values()) {
        expect(new Set(records.map((r) => r.partition)).size).toBe(1);
        const sorted = [...records].sort(byPartitionOffset);
        expect(sorted.map((r) => r.value.seq)).toEqual(
          [...sorted.map((r) => r.value.seq)].sort((a, b) => a - b),
        );
      }
    });

    it('reads from an offset', async () => {
      await subject.log.append(
        topics.instructions,
        Array.from({ length: 10 }, (_, i) => ({ value: sampleInstruction(i), key: 'one-key' })),
      );
      const all = await readAll(subject.log, topics.instructions);
      const from = await readAll(subject.log, topics.instructions, { from: 4 });
      expect(from.map((r) => r.offset)).toEqual(all.filter((r) => r.offset >= 4).map((r) => r.offset));
      expect(from).toHaveLength(6);
    });

    it('completes a non-following read at the end, and a following read sees later appends', async () => {
      expect(await readAll(subject.log, topics.instructions)).toEqual([]);
      const seen: string[] = [];
      const sub = subject.log
        .read(topics.instructions, { follow: true })
        .subscribe((r) => seen.push(r.value.id));
      try {
        await subject.log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
        await waitFor(() => seen.length === 1, { what: 'the first record at the follower' });
        await subject.log.append(topics.instructions, [
          { value: sampleInstruction(2) },
          { value: sampleInstruction(3) },
        ]);
        await waitFor(() => seen.length === 3, { what: 'the 3 records at the follower' });
        expect(seen.sort()).toEqual(['sample-1', 'sample-2', 'sample-3']);
      } finally {
        sub.unsubscribe();
      }
    });

    it('stores a named reader position and resumes from it', async () => {
      await subject.log.append(
        topics.instructions,
        Array.from({ length: 6 }, (_, i) => ({ value: sampleInstruction(i) })),
      );
      expect((await subject.log.committed('resumer', topics.instructions)).size).toBe(0);
      const first = await firstValueFrom(
        subject.log.read(topics.instructions, { reader: 'resumer' }).pipe(take(2), toArray()),
      );
      await subject.log.commit('resumer', topics.instructions, positionsAfter(first));
      const rest = await readAll(subject.log, topics.instructions, { reader: 'resumer' });
      const ids = [...first, ...rest].map((r) => r.value.id).sort();
      expect(ids).toEqual(Array.from({ length: 6 }, (_, i) => `sample-${i}`).sort());
      expect(new Set(ids).size).toBe(6);
    });

    it('keeps records and positions across close and reopen', async () => {
      await subject.log.append(topics.instructions, [
        { value: sampleInstruction(1) },
        { value: sampleInstruction(2) },
      ]);
      await subject.log.commit('keeper', topics.instructions, new Map([[0, 1]]));
      await subject.log.close();
      const again = await subject.reopen();
      extra.push(again);
      expect((await readAll(again, topics.instructions)).map((r) => r.value.id).sort()).toEqual([
        'sample-1',
        'sample-2',
      ]);
      expect((await again.committed('keeper', topics.instructions)).get(0)).toBe(1);
      await again.append(topics.instructions, [{ value: sampleInstruction(3) }]);
      expect(await readAll(again, topics.instructions)).toHaveLength(3);
    });

    it('delivers every record to a one-member consumer group, resuming from its commits', async () => {
      await subject.log.append(
        topics.instructions,
        Array.from({ length: 8 }, (_, i) => ({ value: sampleInstruction(i) })),
      );
      const assigned: number[][] = [];
      const got: LogRecord<unknown>[] = [];
      const sub = subject.log
        .readGroup(topics.instructions, { group: 'workers', onAssigned: (p) => assigned.push([...p]) })
        .subscribe((r) => got.push(r));
      try {
        await waitFor(() => got.length === 8, { what: 'the 8 records at the group reader' });
        expect(assigned.at(-1)!.length).toBe(await subject.log.partitions(topics.instructions));
        await subject.log.commit('workers', topics.instructions, positionsAfter(got));
      } finally {
        sub.unsubscribe();
      }
      const committed = await subject.log.committed('workers', topics.instructions);
      expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(8);
    });

    it('reports topics in stat and passes check', async () => {
      await subject.log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
      await subject.log.append(
        topics.treeEvents,
        sampleTreeEvents(1).map((value) => ({ value })),
      );
      const stats = await subject.log.stat();
      expect(stats.find((s) => s.topic === 'instructions')?.records).toBe(1);
      expect(stats.find((s) => s.topic === 'tree-events')?.records).toBe(6);
      expect(stats.every((s) => s.bytes > 0)).toBe(true);
      expect(stats.every((s) => s.damaged === 0)).toBe(true);
      const report = await subject.log.check();
      expect(report.ok).toBe(true);
      expect(report.topics.every((t) => t.damage.length === 0 && t.problems.length === 0)).toBe(true);
    });

    it('a read of a sound log reports no damage, and reading writes nothing (no dead letters)', async () => {
      await subject.log.append(
        topics.instructions,
        [1, 2, 3].map((n) => ({ value: sampleInstruction(n) })),
      );
      const before = (await subject.log.stat()).map((s) => [s.topic, s.records]);
      const damage: LogDamage[] = [];
      const read = await readAll(subject.log, topics.instructions, { onDamage: (d) => damage.push(d) });
      expect(read).toHaveLength(3);
      expect(damage).toEqual([]);
      // The same read without a handler completes too: damage would fail it, a sound log does not.
      expect(await readAll(subject.log, topics.instructions)).toHaveLength(3);
      expect((await subject.log.stat()).map((s) => [s.topic, s.records])).toEqual(before);
    });

    it('stores dead letters on their own topic: the original bytes untouched, keyed by where they came from', async () => {
      const letter = (over: Partial<DeadLetter>): DeadLetter => ({
        topic: 'instructions',
        partition: 0,
        offset: null,
        source: null,
        key: null,
        reason: 'does not decode',
        payload: Buffer.alloc(0),
        time: 1_700_000_000_000,
        ...over,
      });
      const letters = [
        // From a log offset; the payload is no text at all (invalid UTF-8, a NUL).
        letter({ partition: 2, offset: 7, payload: Buffer.from([0xff, 0x00, 0xfe, 0x80]) }),
        // From an input file's line.
        letter({
          source: 'rows.jsonl:12',
          reason: 'rows.jsonl:12: not JSON',
          payload: Buffer.from('{"id": 1,'),
        }),
        // With its own key, and a payload past any small-record fast path.
        letter({
          key: 'conflict:sample-1',
          payload: Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251)),
        }),
      ];
      await subject.log.append(
        topics.deadLetters,
        letters.map((value) => ({ value })),
      );
      const read = await readAll<DeadLetter>(subject.log, topics.deadLetters);
      expect(read.map((r) => r.key).sort()).toEqual([
        'conflict:sample-1',
        'instructions:0:rows.jsonl:12',
        'instructions:2:7',
      ]);
      for (const r of read) {
        const sent = letters.find((l) => topics.deadLetters.keyOf(l) === r.key)!;
        expect(r.value).toEqual(sent);
        expect(Buffer.compare(Buffer.from(r.value.payload), sent.payload)).toBe(0);
      }
      expect(await readAll(subject.log, topics.instructions)).toEqual([]);
    });

    it('skips an unreadable record and reports it with its place; serves the records around it; dead-letters nothing', async () => {
      const good = (ns: number[]) => ns.map((n) => ({ value: sampleInstruction(n) }));
      await subject.log.append(topics.instructions, good([1, 2, 3]));
      const spoiled = await subject.spoilInstruction();
      await subject.log.append(topics.instructions, good([4, 5]));
      const served = ['sample-1', 'sample-2', 'sample-3', 'sample-4', 'sample-5'];

      const damage: LogDamage[] = [];
      const read = await readAll(subject.log, topics.instructions, { onDamage: (d) => damage.push(d) });
      expect(read.map((r) => r.value.id).sort()).toEqual(served);
      expect(damage).toHaveLength(1);
      expect(damage[0]).toMatchObject({
        topic: 'instructions',
        partition: spoiled.partition,
        lost: { from: spoiled.offset, until: spoiled.offset + 1 },
      });
      expect(damage[0].reason).not.toBe('');
      // No handler on the read nor on the log: the read fails, naming the damage.
      const failed = await readAll(subject.log, topics.instructions).catch((e) => e);
      expect(isArboretumError(failed, 'LOG_CORRUPT')).toBe(true);

      // A consumer group skips it alike.
      const groupDamage: LogDamage[] = [];
      const got: LogRecord<{ id: string }>[] = [];
      const sub = subject.log
        .readGroup<{ id: string }>(topics.instructions, {
          group: 'spoiled',
          onDamage: (d) => groupDamage.push(d),
        })
        .subscribe((r) => got.push(r));
      try {
        await waitFor(() => got.length === 5 && groupDamage.length > 0, {
          what: 'the 5 readable records and the damage at the group reader',
        });
        expect(got.map((r) => r.value.id).sort()).toEqual(served);
        expect(groupDamage[0]).toMatchObject({
          partition: spoiled.partition,
          lost: { from: spoiled.offset },
        });
      } finally {
        sub.unsubscribe();
      }

      // check names it; reads wrote no dead letter (dead letters are the pipelines' to write).
      const report = await subject.log.check();
      expect(report.ok).toBe(false);
      const instructions = report.topics.find((t) => t.topic === 'instructions')!;
      expect(instructions.damage.map((d) => [d.partition, d.lost?.from])).toEqual([
        [spoiled.partition, spoiled.offset],
      ]);
      expect((await subject.log.stat()).find((t) => t.topic === 'dead-letters')?.records ?? 0).toBe(0);
    });
  });
}
