import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogDamage } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { codecs } from '../../schemas/codec.ts';
import { isArboretumError } from '../../schemas/errors.ts';
import { sampleInstruction, sampleTreeEvents } from '../contract/sampleRecords.ts';
import { waitFor } from '../support/waitFor.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/arboretum.js');
let dir: string;
const opened: EventLog[] = [];
const open = (options = {}) => {
  const log = createFileEventLog({ dir, onRecovered: () => {}, ...options });
  opened.push(log);
  return log;
};
const ids = async (log: EventLog, onDamage?: (d: LogDamage) => void) =>
  (await lastValueFrom(log.read(topics.instructions, { onDamage }).pipe(toArray()))).map((r) => r.value.id);
const segmentsOf = (topic: string) =>
  readdirSync(join(dir, topic))
    .filter((f) => f.endsWith('.avro'))
    .sort()
    .map((f) => join(dir, topic, f));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-file-'));
});
afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  await rm(dir, { recursive: true, force: true });
});

describe('file event log', () => {
  it('never serves a torn tail, reports it in check, and cuts it when a writer opens', async () => {
    const log = open();
    await log.append(
      topics.instructions,
      [1, 2, 3].map((n) => ({ value: sampleInstruction(n) })),
    );
    await log.close();
    const [segment] = segmentsOf('instructions');
    const whole = statSync(segment).size;
    // A crash mid-append: the next block written only in part (a prefix of a real block).
    const more = open();
    await more.append(topics.instructions, [{ value: sampleInstruction(9, 'x'.repeat(600)) }]);
    await more.close();
    truncateSync(segment, whole + 703);
    const reader = open();
    expect(await ids(reader)).toEqual(['sample-1', 'sample-2', 'sample-3']);
    const report = await reader.check();
    expect(report.ok).toBe(false);
    expect(report.topics[0].problems[0]).toMatch(/torn tail of 703 bytes/);

    const writer = open();
    await writer.append(topics.instructions, [{ value: sampleInstruction(4) }]);
    expect(statSync(segment).size).toBeGreaterThan(whole);
    expect(await ids(writer)).toEqual(['sample-1', 'sample-2', 'sample-3', 'sample-4']);
    expect((await writer.endOffsets(topics.instructions)).get(0)).toBe(4);
    await writer.close();
    expect((await open().check()).ok).toBe(true);
  });

  it('check --repair cuts a torn tail', async () => {
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    await log.close();
    appendFileSync(segmentsOf('instructions')[0], Buffer.from([0x02, 0x90]));
    const repaired = await open().check({ repair: true });
    expect(repaired.topics[0].repaired[0]).toMatch(/cut a torn tail of 2 bytes .*kept in quarantine/);
    expect((await open().check()).ok).toBe(true);
  });

  it('a corrupt block in the middle is reported (file, byte, offsets lost), nothing is written, reading goes on', async () => {
    const log = open();
    for (const n of [1, 2, 3]) await log.append(topics.instructions, [{ value: sampleInstruction(n) }]);
    await log.close();
    const [segment] = segmentsOf('instructions');
    const bytes = readFileSync(segment);
    const at = bytes.indexOf('sample-2');
    bytes.write('\xff\xff\xff\xff\xff', at - 3, 'latin1'); // break the record's framing inside block 2
    writeFileSync(segment, bytes);
    const damage: LogDamage[] = [];
    const reader = open();
    const got = await ids(reader, (d) => damage.push(d));
    expect(got).toEqual(['sample-1', 'sample-3']);
    expect(damage).toHaveLength(1);
    expect(damage[0]).toMatchObject({ topic: 'instructions', file: segment, lost: { from: 1, until: 2 } });
    expect(damage[0].byteOffset).toBeGreaterThan(0);
    expect((await reader.check()).ok).toBe(false);
    // Reads never write: no dead letters.
    expect(readdirSync(dir)).not.toContain('dead-letters');
    // Without a handler the read fails, naming the file.
    const error = await ids(reader).catch((e) => e);
    expect(isArboretumError(error, 'LOG_CORRUPT')).toBe(true);
    expect(error.message).toContain(segment);
  });

  it('segments written before record checksums still read; check says their contents cannot be verified', async () => {
    const old = createFileEventLog({ dir, checksums: false, onRecovered: () => {} });
    await old.append(topics.instructions, [{ value: sampleInstruction(1) }, { value: sampleInstruction(2) }]);
    await old.close();
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(3) }]);
    // The writer never appends to an old-format segment: a new one, with checksums.
    expect(segmentsOf('instructions')).toHaveLength(2);
    expect(await ids(log)).toEqual(['sample-1', 'sample-2', 'sample-3']);
    await log.close();
    const report = await open().check();
    expect(report.ok).toBe(true);
    expect(report.topics[0].notes.join('\n')).toMatch(
      /1 segment\(s\) written before record checksums \(00000000000000000000\.avro\)/,
    );
  });

  it('allows one writer per topic, with a clear error for the second', async () => {
    const first = open();
    await first.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    const second = open();
    const error = await second.append(topics.instructions, [{ value: sampleInstruction(2) }]).catch((e) => e);
    expect(isArboretumError(error, 'LOG_LOCKED')).toBe(true);
    expect(error.message).toMatch(
      /topic instructions .* is being written by process \d+ \(this process\): one writer at a time/,
    );
    // Other topics are free, and the lock goes with the writer.
    await second.append(
      topics.treeEvents,
      sampleTreeEvents(1).map((value) => ({ value })),
    );
    await first.close();
    await second.append(topics.instructions, [{ value: sampleInstruction(2) }]);
    expect(await ids(second)).toEqual(['sample-1', 'sample-2']);
  });

  it('takes over the lock of a writer that died', async () => {
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    await log.close();
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    const lock = join(dir, 'instructions', '.lock');
    writeFileSync(lock, dead);
    const writer = open();
    await writer.append(topics.instructions, [{ value: sampleInstruction(2) }]);
    // The lock now names this process, and both appends are on the log, in order.
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await ids(writer)).toEqual(['sample-1', 'sample-2']);
    await writer.close();
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a stale lock that names this very pid (a restarted process) but another start time', async () => {
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    await log.close();
    const lock = join(dir, 'instructions', '.lock');
    const mine = JSON.parse(
      readFileSync(join('/proc', String(process.pid), 'stat'), 'utf8')
        .replace(/^.*\) /, '["')
        .replace(/ /g, '","')
        .replace(/\n?$/, '"]'),
    ) as string[];
    const start = Number(mine[19]);
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    for (const other of [start - 100, start + 100]) {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, start: String(other), boot }));
      const writer = open();
      await writer.append(topics.instructions, [{ value: sampleInstruction(other) }]);
      await writer.close();
    }
    // The same pid and start time is this process: that lock is live.
    const first = open();
    await first.append(topics.instructions, [{ value: sampleInstruction(3) }]);
    const error = await open()
      .append(topics.instructions, [{ value: sampleInstruction(4) }])
      .catch((e) => e);
    expect(isArboretumError(error, 'LOG_LOCKED')).toBe(true);
  });

  it('rolls segments and reads across them from any offset', async () => {
    const log = open({ segmentBytes: 4096 });
    for (let n = 0; n < 30; n++)
      await log.append(topics.instructions, [{ value: sampleInstruction(n, 'q'.repeat(400)) }]);
    expect(segmentsOf('instructions').length).toBeGreaterThan(3);
    expect(await ids(log)).toEqual(Array.from({ length: 30 }, (_, n) => `sample-${n}`));
    const from = await lastValueFrom(log.read(topics.instructions, { from: 17 }).pipe(toArray()));
    expect(from.map((r) => r.offset)).toEqual(Array.from({ length: 13 }, (_, i) => 17 + i));
    expect((await log.check()).ok).toBe(true);
  });

  it('fsync policies interval and never write the same readable log', async () => {
    for (const fsync of ['never', { intervalMs: 5 }] as const) {
      const sub = join(dir, typeof fsync === 'string' ? fsync : 'interval');
      const log = createFileEventLog({ dir: sub, fsync });
      await log.append(topics.instructions, [
        { value: sampleInstruction(1) },
        { value: sampleInstruction(2) },
      ]);
      await log.close();
      const again = createFileEventLog({ dir: sub });
      opened.push(again);
      expect(await ids(again)).toEqual(['sample-1', 'sample-2']);
    }
  });

  it('a reader following the tail sees another process append', async () => {
    const log = open();
    const seen: string[] = [];
    const sub = log.read(topics.instructions, { follow: true }).subscribe((r) => seen.push(r.value.id));
    try {
      const file = join(dir, 'in.jsonl');
      writeFileSync(file, [5, 6, 7].map((n) => JSON.stringify(sampleInstruction(n))).join('\n'));
      const child = spawn(process.execPath, [
        bin,
        'log',
        'append',
        '--log',
        `file:${dir}`,
        '--topic',
        'instructions',
        '--file',
        file,
      ]);
      const code = await new Promise((r) => child.on('exit', r));
      expect(code).toBe(0);
      await waitFor(() => seen.length === 3, { what: 'the 3 records submitted, at the follower' });
      expect(seen).toEqual(['sample-5', 'sample-6', 'sample-7']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('log read --follow prints each record as it arrives, not in held-back batches', async () => {
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(1) }]);
    const child = spawn(process.execPath, [
      bin,
      'log',
      'read',
      '--follow',
      '--log',
      `file:${dir}`,
      '--topic',
      'instructions',
    ]);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    try {
      await waitFor(() => out.split('\n').filter(Boolean).length === 1, {
        what: 'the first line of log read --follow',
      });
      for (const n of [2, 3]) {
        await log.append(topics.instructions, [{ value: sampleInstruction(n) }]);
        await waitFor(() => out.split('\n').filter(Boolean).length === n, {
          what: `line ${n} of log read --follow`,
        });
      }
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).id),
      ).toEqual(['sample-1', 'sample-2', 'sample-3']);
    } finally {
      child.kill();
    }
  }, 60_000);

  it("Python's avro package reads a segment and gets the same records", async () => {
    const log = open();
    const instructions = [1, 2].map((n) => sampleInstruction(n));
    const events = sampleTreeEvents(1, 'Step 1: ✓ ünïcode 🌳');
    await log.append(
      topics.instructions,
      instructions.map((value) => ({ value })),
    );
    await log.append(
      topics.treeEvents,
      events.map((value) => ({ value })),
    );
    await log.close();
    const script = `
import json, sys
from avro.datafile import DataFileReader
from avro.io import DatumReader
out = []
for path in sys.argv[1:]:
    with DataFileReader(open(path, 'rb'), DatumReader()) as reader:
        out.append([r for r in reader])
# Each record carries its checksums (crc, blockCrc): Python reads them like any other field.
assert all(isinstance(r['crc'], int) and isinstance(r['blockCrc'], int) for f in out for r in f)
print(json.dumps([[{k: v for k, v in r.items() if k not in ('crc', 'blockCrc')} for r in f] for f in out]))`;
    const py = spawnSync(
      'python3',
      ['-c', script, segmentsOf('instructions')[0], segmentsOf('tree-events')[0]],
      { encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    const [pyInstructions, pyEvents] = JSON.parse(py.stdout);
    expect(pyInstructions.map((r: any) => r.value)).toEqual(JSON.parse(JSON.stringify(instructions)));
    expect(pyInstructions.map((r: any) => r.offset)).toEqual([0, 1]);
    // Python's reader gives a union's branch value without its name: compare against ours the same way.
    const ours = events.map((e) => {
      const avro = codecs.TreeEvent.toAvro(e) as any;
      const { kind: _kind, ...fields } = Object.values(avro.payload)[0] as Record<string, unknown>;
      return { ...avro, payload: fields };
    });
    expect(pyEvents.map((r: any) => r.value)).toEqual(JSON.parse(JSON.stringify(ours)));
    expect(pyEvents.map((r: any) => r.key)).toEqual(events.map((e) => e.treeId));
  });

  it("our fingerprints equal Python avro's CRC-64-AVRO of the same schemas", () => {
    const script = `
import sys, avro.schema, json
names = {}
for name in ['Instruction', 'TreeEvent', 'PreferencePair', 'SftExample', 'DeadLetter']:
    text = open(f'${root}schemas/avro/{name}.avsc').read()
    if name == 'TreeEvent':
        text = text.replace('"type": "Instruction"', '"type": ' + open('${root}schemas/avro/Instruction.avsc').read())
    names[name] = avro.schema.parse(text).fingerprint('CRC-64-AVRO').hex()
print(json.dumps(names))`;
    const py = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const theirs = JSON.parse(py.stdout);
    for (const [name, codec] of Object.entries(codecs))
      expect(theirs[name]).toBe(codec.fingerprint.toString('hex'));
  });
});
