import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { copyLog } from '../../pipelines/copy/copyLog.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { sampleInstruction, sampleTreeEvents } from '../contract/sampleRecords.ts';

const dirs: string[] = [];
const logs: EventLog[] = [];
afterEach(async () => {
  for (const l of logs.splice(0)) await l.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const fileLog = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-copylog-'));
  dirs.push(dir);
  const log = createFileEventLog({ dir, fsync: 'never' });
  logs.push(log);
  return log;
};

describe('copyLog', () => {
  it('copies the named topics record for record, keys kept, in more than one batch', async () => {
    const a = await fileLog();
    const b = await fileLog();
    // 2500 instructions: three append batches of at most 1000.
    await a.append(
      topics.instructions,
      Array.from({ length: 2500 }, (_, i) => ({ value: sampleInstruction(i) })),
    );
    const events = [0, 1, 2].flatMap((n) => sampleTreeEvents(n, 'Step 1: x'));
    await a.append(
      topics.treeEvents,
      events.map((value) => ({ value })),
    );
    expect(await copyLog(a, b, ['instructions', 'tree-events'])).toEqual(
      new Map([
        ['instructions', 2500],
        ['tree-events', events.length],
      ]),
    );
    for (const topic of [topics.instructions, topics.treeEvents]) {
      const strip = (log: EventLog) =>
        lastValueFrom(log.read<unknown>(topic as never).pipe(toArray())).then((rs) =>
          rs.map((r) => ({ key: r.key, value: r.value })),
        );
      expect(await strip(b)).toEqual(await strip(a));
    }
  });

  it('refuses an unknown topic by name', async () => {
    const a = await fileLog();
    const b = await fileLog();
    const e = await copyLog(a, b, ['no-such-topic']).catch((x) => x);
    expect(isArboretumError(e, 'INVALID_INPUT')).toBe(true);
    expect(e.message).toMatch(/unknown topic "no-such-topic"/);
  });
});
