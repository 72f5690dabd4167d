import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { type Topic, topics } from '../../connectors/log/topics.ts';
import { arboretumBin as bin } from '../support/arboretumBin.ts';
import { cli } from '../support/cli.ts';
import { waitFor } from '../support/waitFor.ts';

const arboretum = (...args: string[]) => cli(args);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arb-append-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const row = (id: string, instruction = `Problem ${id}: what is 2 + 2?`) =>
  JSON.stringify({ id, task: 'Math_CoT', dataset: 'GSM8K', instruction, reference: { answer: '4' } });

async function valuesOf<T>(logDir: string, topic: Topic<T>): Promise<T[]> {
  const log = createFileEventLog({ dir: logDir, fsync: 'never' });
  try {
    return (await lastValueFrom(log.read(topic).pipe(toArray()), { defaultValue: [] })).map((r) => r.value);
  } finally {
    await log.close();
  }
}

/** Bytes of a topic's segment files (0 before the first). */
async function topicBytes(logDir: string, topic: string): Promise<number> {
  let total = 0;
  try {
    for (const f of await readdir(join(logDir, topic))) {
      if (f.endsWith('.avro')) total += (await stat(join(logDir, topic, f))).size;
    }
  } catch {
    return 0;
  }
  return total;
}

describe('log append / submit resume after a crash', () => {
  it('SIGKILL mid-append several times, rerun to completion: every record is on the log exactly once', async () => {
    const logDir = join(dir, 'killed');
    const file = join(dir, 'many.jsonl');
    const ids = Array.from({ length: 60_000 }, (_, i) => `q${i}`);
    await writeFile(file, `${ids.map((id) => row(id)).join('\n')}\n`);
    let kills = 0;
    for (let round = 0; round < 5 && kills < 4; round++) {
      const start = await topicBytes(logDir, 'instructions');
      const child = spawn(
        process.execPath,
        [bin, 'log', 'append', '--topic', 'instructions', '--file', file, '--log', `file:${logDir}`],
        { stdio: 'ignore' },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_c, s) => resolve(s)),
      );
      // Kill once this run has appended some 200 KB (a few batches): in the middle of its appends.
      await waitFor(
        async () => child.exitCode !== null || (await topicBytes(logDir, 'instructions')) > start + 200_000,
        { what: 'the append to write 200 KB (or end)', deadlineMs: 60_000 },
      );
      child.kill('SIGKILL');
      if ((await exited) === 'SIGKILL') kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const before = await valuesOf(logDir, topics.instructions);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(ids.length);
    const final = await arboretum(
      'log',
      'append',
      '--topic',
      'instructions',
      '--file',
      file,
      '--log',
      `file:${logDir}`,
    );
    expect(final.code).toBe(0);
    expect(final.stderr).toContain(
      `appended ${ids.length - before.length} records to instructions; ${before.length} already on the log (skipped)`,
    );
    const after = await valuesOf(logDir, topics.instructions);
    expect(after.map((i) => i.id)).toEqual(ids);
    const again = await arboretum(
      'log',
      'append',
      '--topic',
      'instructions',
      '--file',
      file,
      '--log',
      `file:${logDir}`,
    );
    expect(again.stderr).toContain(
      `appended 0 records to instructions; ${ids.length} already on the log (skipped)`,
    );
    expect(again.code).toBe(0);
  }, 300_000);

  it('submit: BOM, invalid UTF-8 and a conflicting duplicate are reported with file:line; a rerun appends nothing', async () => {
    const logDir = join(dir, 'submit');
    const file = join(dir, 'dirty.jsonl');
    const bad = Buffer.concat([
      Buffer.from('{"id": "x", "task": "Logic", "instruction": "'),
      Buffer.from([0xfe]),
    ]);
    const lines = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(row('a'))]),
      Buffer.from(row('b')),
      bad,
      Buffer.from(row('a', 'Something else')),
      Buffer.from(row('c')),
    ];
    await writeFile(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
    const first = await arboretum('submit', file, '--log', `file:${logDir}`);
    expect(first.code).toBe(1);
    const badAt = 3 + row('a').length + 1 + row('b').length + 1 + bad.length - 1;
    expect(first.stderr).toContain(`${file}:3: invalid UTF-8 at byte ${badAt}`);
    expect(first.stderr).toContain(
      `${file}:4: instructions id "a" conflicts with ${file}:1: same id, different content; not appended`,
    );
    expect(first.stderr).toContain(
      `submitted 3 instruction(s) to file:${logDir}; 2 row(s) to dead-letters (1 in conflict, 1 bad; 2 new there`,
    );
    expect((await valuesOf(logDir, topics.instructions)).map((i) => [i.id, i.instruction])).toEqual([
      ['a', 'Problem a: what is 2 + 2?'],
      ['b', 'Problem b: what is 2 + 2?'],
      ['c', 'Problem c: what is 2 + 2?'],
    ]);
    const dead = await valuesOf(logDir, topics.deadLetters);
    expect(dead.map((d) => d.source)).toEqual([`${file}:3`, `${file}:4`]);
    expect(Buffer.from(dead[0].payload).equals(bad)).toBe(true);

    const second = await arboretum('submit', file, '--log', `file:${logDir}`);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `${file}:4: instructions id "a" conflicts with the log (partition 0, offset 0)`,
    );
    expect(second.stderr).toContain(
      `submitted 0 instruction(s) to file:${logDir}; 3 already on the log (skipped); 2 row(s) to dead-letters (1 in conflict, 1 bad; 0 new there`,
    );
    expect(await valuesOf(logDir, topics.instructions)).toHaveLength(3);
    expect(await valuesOf(logDir, topics.deadLetters)).toHaveLength(2);
  }, 120_000);
});
