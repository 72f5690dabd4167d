import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { type Topic, topics } from '../../connectors/log/topics.ts';
import { appendJsonLines } from '../../pipelines/append/appendJsonLines.ts';
import { submitFile } from '../../pipelines/append/submitFile.ts';
import { smallTrees } from '../analytics/fixtures.ts';

let dir: string;
let log: EventLog;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-append-'));
  log = createFileEventLog({ dir: join(dir, 'log'), fsync: 'never' });
});
afterEach(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const values = async <T>(topic: Topic<T>) =>
  (await lastValueFrom(log.read(topic).pipe(toArray()), { defaultValue: [] })).map((r) => r.value);
const row = (id: string, instruction = `Problem ${id}`) =>
  JSON.stringify({ id, task: 'Math_CoT', dataset: 'GSM8K', instruction, reference: { answer: '4' } });

describe('submitFile is resumable and idempotent', () => {
  it('a second submit of the same file appends nothing and counts what it skipped', async () => {
    const file = join(dir, 'i.jsonl');
    await writeFile(file, [row('a'), row('b'), '{bad', row('c')].join('\n'));
    const first = await submitFile(log, file);
    expect(first).toMatchObject({ appended: 3, alreadyOnLog: 0, conflicts: 0, deadLettersAppended: 1 });
    const second = await submitFile(log, file);
    expect(second).toMatchObject({ appended: 0, alreadyOnLog: 3, conflicts: 0, deadLettersAppended: 0 });
    // The bad line is reported again (the run still did not append it) but dead-lettered once.
    expect(second.deadLetters.map((d) => d.source)).toEqual([`${file}:3`]);
    expect((await values(topics.instructions)).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(await values(topics.deadLetters)).toHaveLength(1);
  });

  it('after a crash that left a prefix on the log, a rerun appends only the rest, in file order', async () => {
    const file = join(dir, 'i.jsonl');
    const ids = Array.from({ length: 50 }, (_, i) => `p${i}`);
    await writeFile(file, ids.map((id) => row(id)).join('\n'));
    // What a run killed after 20 records leaves: the first 20 of the file on the log.
    const prefix = join(dir, 'prefix.jsonl');
    await writeFile(
      prefix,
      ids
        .slice(0, 20)
        .map((id) => row(id))
        .join('\n'),
    );
    await submitFile(log, prefix);
    const rerun = await submitFile(log, file);
    expect(rerun).toMatchObject({ appended: 30, alreadyOnLog: 20 });
    expect((await values(topics.instructions)).map((i) => i.id)).toEqual(ids);
  });

  it('same id, different content: a conflict naming file:line and where the other copy is; the rest appended', async () => {
    const file = join(dir, 'i.jsonl');
    await writeFile(file, [row('a'), row('b')].join('\n'));
    await submitFile(log, file);
    const changed = join(dir, 'changed.jsonl');
    await writeFile(
      changed,
      [row('a'), row('b', 'A different problem'), row('c'), row('c', 'Not c')].join('\n'),
    );
    const out = await submitFile(log, changed);
    expect(out).toMatchObject({
      appended: 1,
      alreadyOnLog: 1,
      repeated: 0,
      conflicts: 2,
      deadLettersAppended: 2,
    });
    expect(out.deadLetters.map((d) => d.reason)).toEqual([
      `${changed}:2: instructions id "b" conflicts with the log (partition 0, offset 1): same id, different content; not appended`,
      `${changed}:4: instructions id "c" conflicts with ${changed}:3: same id, different content; not appended`,
    ]);
    expect(out.deadLetters[0].payload.toString()).toBe(row('b', 'A different problem'));
    expect((await values(topics.instructions)).map((i) => [i.id, i.instruction])).toEqual([
      ['a', 'Problem a'],
      ['b', 'Problem b'],
      ['c', 'Problem c'],
    ]);
    // Rerun: the conflicts are reported again, not dead-lettered again.
    const again = await submitFile(log, changed);
    expect(again).toMatchObject({ appended: 0, alreadyOnLog: 2, conflicts: 2, deadLettersAppended: 0 });
    expect(await values(topics.deadLetters)).toHaveLength(2);
  });

  it('identical repeats within the file are skipped and counted', async () => {
    const file = join(dir, 'i.jsonl');
    await writeFile(file, [row('a'), row('a'), row('b'), row('a')].join('\n'));
    expect(await submitFile(log, file)).toMatchObject({ appended: 2, repeated: 2, conflicts: 0 });
  });
});

describe('appendJsonLines (log append) is idempotent for every topic', () => {
  it('tree events by eventId: a second append of the same file appends nothing', async () => {
    const { math, code } = smallTrees();
    const file = join(dir, 'events.jsonl');
    await writeFile(file, [...math, ...code].map((e) => JSON.stringify(e)).join('\n'));
    const first = await appendJsonLines(log, topics.treeEvents, file);
    expect(first.appended).toBe(math.length + code.length);
    const second = await appendJsonLines(log, topics.treeEvents, file);
    expect(second).toMatchObject({ appended: 0, alreadyOnLog: math.length + code.length, conflicts: 0 });
    expect(await values(topics.treeEvents)).toHaveLength(math.length + code.length);
  });

  it('a tree event whose eventId is on the log with other content is a conflict', async () => {
    const { math } = smallTrees();
    const line = (e: (typeof math)[number]) => JSON.stringify(e);
    const file = join(dir, 'events.jsonl');
    await writeFile(file, math.map(line).join('\n'));
    await appendJsonLines(log, topics.treeEvents, file);
    const altered = { ...math[2], time: math[2].time + 1 };
    const other = join(dir, 'other.jsonl');
    await writeFile(other, [line(math[1]), line(altered as (typeof math)[number])].join('\n'));
    const out = await appendJsonLines(log, topics.treeEvents, other);
    expect(out).toMatchObject({ appended: 0, alreadyOnLog: 1, conflicts: 1 });
    expect(out.deadLetters[0].reason).toMatch(
      new RegExp(
        `other\\.jsonl:2: tree-events id "${math[2].eventId}" conflicts with the log \\(partition 0, offset 2\\)`,
      ),
    );
  });

  it('dead letters appended through log append are kept once however often', async () => {
    const file = join(dir, 'dead.jsonl');
    const d = {
      topic: 'x',
      partition: 0,
      offset: null,
      source: 'f:1',
      key: null,
      reason: 'r',
      payload: 'AA==',
      time: 1,
    };
    await writeFile(file, [JSON.stringify(d), JSON.stringify({ ...d, time: 2, reason: 'again' })].join('\n'));
    const first = await appendJsonLines(log, topics.deadLetters, file);
    // The second line is the same failure (same place, same bytes) told again: not a second dead letter.
    expect(first).toMatchObject({ appended: 1, repeated: 1, conflicts: 0 });
    const again = await appendJsonLines(log, topics.deadLetters, file);
    expect(again.appended).toBe(0);
    expect(await values(topics.deadLetters)).toHaveLength(1);
  });
});
