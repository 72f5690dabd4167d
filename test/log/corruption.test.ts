import {
  appendFileSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogDamage } from '../../connectors/log/eventLog.ts';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { logEntryType } from '../../connectors/log/file/logEntryType.ts';
import { SegmentReader } from '../../connectors/log/file/segmentReader.ts';
import { segmentName } from '../../connectors/log/file/segments.ts';
import { topics } from '../../connectors/log/topics.ts';
import { seededRandom } from '../../pipelines/synthetic/seededRandom.ts';
import type { Instruction } from '../../schemas/types.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { sampleInstruction } from '../contract/sampleRecords.ts';
import { cli } from '../support/cli.ts';

const N = 1200;
const PER_BLOCK = 10;
let dir: string;
let expected: Instruction[];
const opened: EventLog[] = [];
const open = () => {
  const log = createFileEventLog({ dir, segmentBytes: 48 << 10, fsync: 'never', onRecovered: () => {} });
  opened.push(log);
  return log;
};
const topicDir = () => join(dir, 'instructions');
const segments = () =>
  readdirSync(topicDir())
    .filter((f) => f.endsWith('.avro'))
    .sort()
    .map((f) => join(topicDir(), f));

/** Byte ranges of every block of every segment, with their record offsets, read from the sound log. */
async function blockMap() {
  const { type } = logEntryType(topics.instructions);
  const map: { file: string; start: number; end: number; offsets: number[] }[] = [];
  for (const file of segments()) {
    const opened = await SegmentReader.open(file, type);
    if (opened.kind !== 'open') throw new Error(`${file} does not open`);
    for (;;) {
      const b = await opened.reader.next();
      if (b.kind !== 'block') break;
      map.push({ file, start: b.start, end: b.end, offsets: b.entries.map((e) => e.offset) });
    }
    await opened.reader.close();
  }
  return map;
}

async function readAll(log: EventLog) {
  const damage: LogDamage[] = [];
  const records = await lastValueFrom(
    log.read(topics.instructions, { onDamage: (d) => damage.push(d) }).pipe(toArray()),
  );
  return { records, damage };
}

/** Every file name under the topic folder, quarantine included, with sizes: what "nothing deleted" compares. */
function inventory(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const f of readdirSync(topicDir()))
    if (f.endsWith('.avro')) files.set(f, readFileSync(join(topicDir(), f)));
  return files;
}

/** The original bytes of each damaged file are still somewhere: in place or in quarantine. */
function stillKept(before: Map<string, Buffer>) {
  const q = join(topicDir(), 'quarantine');
  const kept = existsSync(q) ? readdirSync(q).map((f) => readFileSync(join(q, f))) : [];
  for (const [name, bytes] of before) {
    const here = existsSync(join(topicDir(), name)) ? readFileSync(join(topicDir(), name)) : undefined;
    const found = here?.equals(bytes) || kept.some((k) => k.equals(bytes));
    expect(found, `${name}'s bytes are kept`).toBe(true);
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-corrupt-'));
  expected = Array.from({ length: N }, (_, n) => sampleInstruction(n, `q${n} `.repeat(20)));
  const log = open();
  for (let i = 0; i < N; i += PER_BLOCK)
    await log.append(
      topics.instructions,
      expected.slice(i, i + PER_BLOCK).map((value) => ({ value })),
    );
  const s = treeScript('corrupt-1', { task: 'Logic', dataset: 'StrategyQA', text: 'Is the sky green?' })
    .open()
    .action('c', { correct: true, action: 'No.' })
    .action('w', { correct: false, action: 'Yes.' })
    .close();
  await log.append(
    topics.treeEvents,
    s.events.map((value) => ({ value })),
  );
  await log.close();
  opened.splice(0);
  expect(segments().length).toBeGreaterThanOrEqual(5);
});
afterEach(async () => {
  for (const log of opened.splice(0)) await log.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The checks every scenario must pass: no altered record served, nothing missing without a report, every report
 * naming a file (and a byte offset where there are bytes), reads leave the files as they were, the CLI exits
 * non-zero, and after --repair nothing was deleted, the topic checks clean, is writable and serves every record it
 * served before.
 */
async function verify(opts: { mayLose: (offset: number) => boolean; missingFile?: boolean }) {
  const before = inventory();
  const { records, damage } = await readAll(open());
  expect(damage.length).toBeGreaterThan(0);
  // Nothing altered: each record served equals what was appended at its offset; each offset once, in order.
  for (const r of records) expect(r.value).toEqual(expected[r.offset]);
  expect(records.map((r) => r.offset)).toEqual([...records.map((r) => r.offset)].sort((a, b) => a - b));
  expect(new Set(records.map((r) => r.offset)).size).toBe(records.length);
  // Nothing lost silently, and nothing lost outside what the damage touched.
  const served = new Set(records.map((r) => r.offset));
  for (let o = 0; o < N; o++) {
    if (served.has(o)) continue;
    expect(opts.mayLose(o), `offset ${o} lost though outside the damage`).toBe(true);
    expect(
      damage.some((d) => d.lost && d.lost.from <= o && (d.lost.until === undefined || o < d.lost.until)),
      `offset ${o} lost without a report`,
    ).toBe(true);
  }
  for (const d of damage) {
    expect(d.file).toMatch(/instructions/);
    if (!opts.missingFile && existsSync(d.file) && d.file.endsWith('.avro'))
      expect(d.byteOffset, JSON.stringify(d)).toBeTypeOf('number');
  }
  // Reads never write.
  const after = inventory();
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [k, v] of before) expect(after.get(k)!.equals(v)).toBe(true);
  expect(existsSync(join(dir, 'dead-letters'))).toBe(false);
  // The CLI: each region on stderr, exit non-zero; --allow-damaged goes on and says so.
  const read = await cli(['log', 'read', '--log', `file:${dir}`, '--topic', 'instructions']);
  expect(read.code).not.toBe(0);
  expect(read.stderr).toContain('damaged log: instructions[0]');
  expect(read.stdout.trim().split('\n').length).toBe(records.length);
  const allowed = await cli([
    'log',
    'read',
    '--log',
    `file:${dir}`,
    '--topic',
    'instructions',
    '--allow-damaged',
  ]);
  expect(allowed.code).toBe(0);
  expect(allowed.stderr).toMatch(/--allow-damaged: went on past/);
  const check = await cli(['log', 'check', '--log', `file:${dir}`]);
  expect(check.code).toBe(1);
  // Repair: quarantines, keeps every verified record, leaves the topic writable, deletes nothing.
  const repair = await cli(['log', 'check', '--repair', '--log', `file:${dir}`]);
  expect(repair.stdout, repair.stdout + repair.stderr).toMatch(/^ok$/m);
  stillKept(before);
  const log = open();
  await log.append(topics.instructions, [{ value: sampleInstruction(N + 1) }]);
  const again = await readAll(log);
  expect(again.damage).toEqual([]);
  expect(again.records.map((r) => r.offset).slice(0, records.length)).toEqual(records.map((r) => r.offset));
  expect(again.records.at(-1)!.value.id).toBe(`sample-${N + 1}`);
  expect((await cli(['log', 'check', '--log', `file:${dir}`])).code).toBe(0);
  return { records, damage };
}

describe('corruption suite (file backend)', () => {
  it('100 bit flips at seeded random positions across the segments', async () => {
    const blocks = await blockMap();
    const next = seededRandom(20261201);
    const files = segments();
    const hit = new Set<number>();
    const lostOk = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const file = files[Math.floor(next() * files.length)];
      const bytes = readFileSync(file);
      const at = Math.floor(next() * bytes.length);
      bytes[at] ^= 1 << Math.floor(next() * 8);
      writeFileSync(file, bytes);
      const block = blocks.findIndex((b) => b.file === file && b.start <= at && at < b.end);
      if (block >= 0) hit.add(block);
    }
    // A flipped bit may cost the records of its block (and the block after, when it hits the sync marker).
    for (const b of hit) for (const k of [b, b + 1]) for (const o of blocks[k]?.offsets ?? []) lostOk.add(o);
    const { records } = await verify({ mayLose: (o) => lostOk.has(o) });
    expect(records.length).toBeGreaterThan(N / 2);
  }, 120_000);

  it('check finds every single flipped bit, naming the file and a byte range that holds it', async () => {
    const next = seededRandom(42);
    const files = segments();
    for (let i = 0; i < 100; i++) {
      const file = files[Math.floor(next() * files.length)];
      const sound = readFileSync(file);
      const bytes = Buffer.from(sound);
      const at = Math.floor(next() * bytes.length);
      bytes[at] ^= 1 << Math.floor(next() * 8);
      writeFileSync(file, bytes);
      const report = await open().check();
      const found = report.topics.find((t) => t.topic === 'instructions')!.damage;
      const holds = found.some(
        (d) =>
          d.file === file &&
          d.byteOffset !== undefined &&
          d.byteOffset <= at &&
          at < d.byteOffset + (d.bytes ?? 1),
      );
      expect(holds, `bit at byte ${at} of ${file}: ${JSON.stringify(found)}`).toBe(true);
      writeFileSync(file, sound);
    }
  }, 120_000);

  it("a flipped bit in a block header's size names the header, not only the records cut short after it", async () => {
    // The size varint follows the one-byte record count; a smaller size ends the block early, inside its records.
    // One block of every segment: each segment has its own random sync marker, and whether a shrunk size lands on
    // bytes that read as a plausible header (the real marker's tail) depends on it, so every segment is tried.
    const blocks = await blockMap();
    const perSegment = segments().map(
      (file) => blocks.filter((b) => b.file === file).at(1) ?? blocks.find((b) => b.file === file)!,
    );
    for (const b of perSegment) {
      for (const bit of [1, 2, 3]) {
        const sound = readFileSync(b.file);
        const bytes = Buffer.from(sound);
        const at = b.start + 1;
        bytes[at] ^= 1 << bit;
        writeFileSync(b.file, bytes);
        const report = await open().check();
        const found = report.topics.find((t) => t.topic === 'instructions')!.damage;
        const holds = found.some(
          (d) =>
            d.file === b.file &&
            d.byteOffset !== undefined &&
            d.byteOffset <= at &&
            at < d.byteOffset + (d.bytes ?? 1),
        );
        expect(holds, `bit ${bit} at byte ${at} of ${b.file}: ${JSON.stringify(found)}`).toBe(true);
        writeFileSync(b.file, sound);
      }
    }
  });

  it("a flipped bit in a block header's record count: named before the block's records, all of which are served", async () => {
    // Sound blocks are served lazily (decoded record by record) only once their checksum verifies and their records
    // count as many as the header says; a count that disagrees must still be named before any record of the block.
    const blocks = await blockMap();
    const b = blocks[blocks.length >> 1];
    for (const bit of [1, 2]) {
      const sound = readFileSync(b.file);
      const bytes = Buffer.from(sound);
      bytes[b.start] ^= 1 << bit; // the count varint (10 records: one byte, zig-zag 20)
      writeFileSync(b.file, bytes);
      const seen: (number | 'damage')[] = [];
      const records = await lastValueFrom(
        open()
          .read(topics.instructions, {
            onDamage: (d) => {
              expect(d.file).toBe(b.file);
              expect(d.byteOffset).toBe(b.start);
              seen.push('damage');
            },
          })
          .pipe(
            tap((r) => seen.push(r.offset)),
            toArray(),
          ),
      );
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: N }, (_, o) => o));
      // After the records before the block, before the block's own.
      expect(seen.filter((x) => x === 'damage')).toHaveLength(1);
      expect(seen.indexOf('damage'), `bit ${bit}`).toBe(b.offsets[0]);
      writeFileSync(b.file, sound);
    }
  });

  it('a truncated middle segment', async () => {
    const [, , third] = segments();
    const base = Number(third.match(/(\d{20})\.avro$/)![1]);
    const next = Number(segments()[3].match(/(\d{20})\.avro$/)![1]);
    truncateSync(third, Math.floor(statSync(third).size / 2));
    await verify({ mayLose: (o) => o >= base && o < next });
  }, 60_000);

  it('a deleted middle segment, a deleted first segment', async () => {
    const all = segments();
    const bases = all.map((f) => Number(f.match(/(\d{20})\.avro$/)![1]));
    unlinkSync(all[2]);
    unlinkSync(all[0]);
    await verify({
      mayLose: (o) => (o >= bases[2] && o < bases[3]) || o < bases[1],
      missingFile: true,
    });
  }, 60_000);

  it('a deleted last segment (noticed through the manifest); the writer refuses until it is given up', async () => {
    const all = segments();
    const last = all.at(-1)!;
    const base = Number(last.match(/(\d{20})\.avro$/)![1]);
    renameSync(last, join(dir, 'elsewhere.avro'));
    const { damage } = await readAll(open());
    expect(damage).toHaveLength(1);
    expect(damage[0]).toMatchObject({ file: last, lost: { from: base } });
    const error = await open()
      .append(topics.instructions, [{ value: sampleInstruction(1) }])
      .catch((e) => e);
    expect(error.message).toContain(segmentName(base));
    expect((await cli(['log', 'read', '--log', `file:${dir}`, '--topic', 'instructions'])).code).not.toBe(0);
  }, 60_000);

  it('a bad segment start (bad magic) in a log without a manifest: the other segments are still read', async () => {
    const all = segments();
    const bases = all.map((f) => Number(f.match(/(\d{20})\.avro$/)![1]));
    unlinkSync(join(topicDir(), 'manifest.json'));
    const bytes = readFileSync(all[1]);
    bytes.write('Jbo\x02', 0, 'latin1');
    writeFileSync(all[1], bytes);
    const { damage } = await verify({ mayLose: (o) => o >= bases[1] && o < bases[2] });
    expect(damage[0]).toMatchObject({
      file: all[1],
      byteOffset: 0,
      lost: { from: bases[1], until: bases[2] },
    });
    expect(damage[0].reason).toMatch(/bad magic/);
  }, 60_000);

  it('a duplicated segment (copied under a later name)', async () => {
    const all = segments();
    const lastBase = Number(all.at(-1)!.match(/(\d{20})\.avro$/)![1]);
    copyFileSync(all[1], join(topicDir(), segmentName(lastBase + 1)));
    await verify({ mayLose: () => false });
  }, 60_000);

  it('a damaged header on the last segment: append never deletes it, its records are still served', async () => {
    const last = segments().at(-1)!;
    const bytes = readFileSync(last);
    const at = bytes.indexOf('"offset"');
    bytes[at + 2] ^= 0x04; // the schema now names a field "ofdset"
    writeFileSync(last, bytes);
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(N) }]);
    await log.close();
    expect(readFileSync(last).equals(bytes)).toBe(true);
    expected.push(sampleInstruction(N));
    await verify({ mayLose: () => false });
  }, 60_000);

  it('damaged bits in the last block: the topic stays writable and the damage is named', async () => {
    const last = segments().at(-1)!;
    const bytes = readFileSync(last);
    for (const back of [30, 200, 333]) bytes[bytes.length - back] ^= 0x10;
    writeFileSync(last, bytes);
    const blocks = await blockMap().catch(() => []);
    void blocks;
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(N) }]);
    await log.close();
    expect(readFileSync(last).equals(bytes)).toBe(true);
    // The offsets after the damaged block are not reused: sample-N lies past them.
    const { records } = await readAll(open());
    expect(records.at(-1)!.value.id).toBe(`sample-${N}`);
    expect(records.at(-1)!.offset).toBeGreaterThanOrEqual(N);
    expected[records.at(-1)!.offset] = sampleInstruction(N);
    await verify({ mayLose: (o) => o >= N - 2 * PER_BLOCK && o < N });
  }, 60_000);

  it('garbage appended to the last segment is damage, not a torn tail: kept, never cut', async () => {
    const last = segments().at(-1)!;
    const next = seededRandom(7);
    appendFileSync(last, Buffer.from(Array.from({ length: 3000 }, () => Math.floor(next() * 256))));
    const bytes = readFileSync(last);
    const log = open();
    await log.append(topics.instructions, [{ value: sampleInstruction(N) }]);
    await log.close();
    expect(readFileSync(last).equals(bytes)).toBe(true);
    const { records, damage } = await readAll(open());
    expect(damage[0]).toMatchObject({ file: last, byteOffset: bytes.length - 3000 });
    expected[records.at(-1)!.offset] = sampleInstruction(N);
    await verify({ mayLose: () => false });
  }, 60_000);

  it('export on a damaged tree-events topic exits non-zero and names the file', async () => {
    const [segment] = readdirSync(join(dir, 'tree-events')).filter((f) => f.endsWith('.avro'));
    const file = join(dir, 'tree-events', segment);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40] ^= 0x01;
    writeFileSync(file, bytes);
    const out = join(dir, 'out', 'pairs.jsonl');
    const r = await cli(['export', '--log', `file:${dir}`, '--format', 'ultrainteract-pair', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    // --allow-damaged goes on, says so, and the dataset card says so too.
    const allowed = await cli([
      'export',
      '--log',
      `file:${dir}`,
      '--format',
      'ultrainteract-pair',
      '--out',
      out,
      '--card',
      '--license',
      'unknown',
      '--allow-damaged',
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/--allow-damaged: went on past 1 damaged/);
    expect(readFileSync(join(dir, 'out', 'README.md'), 'utf8')).toMatch(/Damaged log\..*tree-events\[0\]/);
    // The other readers of the log: the same, each region on stderr, exit non-zero.
    // (Each with its own DuckDB file first; the shared-file case follows.)
    for (const args of [
      ['analytics', 'sync', '--log', `file:${dir}`, '--db', join(dir, 'a.duckdb')],
      ['sql', '--log', `file:${dir}`, '--db', join(dir, 'b.duckdb'), 'SELECT count(*) FROM trees'],
      ['report', '--log', `file:${dir}`, '--db', join(dir, 'c.duckdb'), '--out', join(dir, 'r.html')],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr, args[0]).toContain(file);
    }
    const report = await cli([
      'report',
      '--log',
      `file:${dir}`,
      '--out',
      join(dir, 'r2.html'),
      '--allow-damaged',
    ]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(dir, 'r2.html'), 'utf8')).toContain('Damaged log.');
    // A DuckDB file synced past the damage lacks its records for good: every later use of it says so, even with
    // nothing new to sync, and --allow-damaged accepts it.
    const db = join(dir, 'a.duckdb');
    const later = await cli(['sql', '--log', `file:${dir}`, '--db', db, 'SELECT count(*) FROM trees']);
    expect(later.code, later.stderr).not.toBe(0);
    expect(later.stderr).toContain(file);
    expect(later.stderr).toMatch(/read past by an earlier sync of this database/);
    const accepted = await cli([
      'sql',
      '--log',
      `file:${dir}`,
      '--db',
      db,
      'SELECT count(*) FROM trees',
      '--allow-damaged',
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toMatch(/--allow-damaged: went on past/);
  }, 60_000);
});
