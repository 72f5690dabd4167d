import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type avro from 'avsc';
import { ArboretumError } from '../../../schemas/errors.ts';
import type { LogDamage } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import { encodeBlock, encodeHeader, parseHeader } from './avroContainer.ts';
import { hasCrc, type LogEntry, logEntryType } from './logEntryType.ts';
import {
  MANIFEST,
  type ManifestSegment,
  readManifest,
  schemaFingerprint,
  writeManifest,
} from './manifest.ts';
import { quarantine, quarantineBytes } from './quarantine.ts';
import { type SegmentScan, scanTopic } from './scanTopic.ts';
import { sealBlock, sealRecord } from './sealRecords.ts';
import { SegmentReader } from './segmentReader.ts';
import { listSegments, segmentName } from './segments.ts';
import { acquireLock } from './writerLock.ts';

/**
 * When appended bytes reach the disk:
 * - 'always' (default): an append resolves after fdatasync; appends that queue up meanwhile share one fsync
 *   (group commit), so throughput grows with concurrency.
 * - { intervalMs }: an append resolves after write(); a timer fdatasyncs dirty segments every intervalMs
 *   (a crash can lose up to that much, never a half record).
 * - 'never': leave it to the OS (tests, benchmarks of the format itself).
 */
export type FsyncPolicy = 'always' | 'never' | { readonly intervalMs: number };

interface Pending {
  readonly entries: readonly { key: string; value: unknown }[];
  readonly resolve: (firstOffset: { offset: number; timestamp: number }) => void;
  readonly reject: (e: unknown) => void;
}

/** The single writer of one topic folder: holds its lock, cut a torn tail on open, appends whole blocks. */
export class TopicWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private scratch = Buffer.allocUnsafe(1 << 20);
  private readonly checksums: boolean;

  private constructor(
    private readonly dir: string,
    private readonly topic: Topic<unknown>,
    private readonly type: avro.Type,
    private readonly schema: unknown,
    private readonly fsync: FsyncPolicy,
    private readonly segmentBytes: number,
    private readonly releaseLock: () => void,
    private fh: FileHandle,
    private sync: Buffer,
    private size: number,
    /** Next offset to assign. */
    public nextOffset: number,
  ) {
    this.checksums = hasCrc(schema);
    if (typeof fsync === 'object') {
      this.timer = setInterval(() => void this.syncIfDirty(), fsync.intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Takes the topic's lock and opens its last segment for appending. Only a provably torn tail is cut (its bytes
   * kept in quarantine); a last segment that is damaged otherwise is left as it is and appending goes on in a new
   * segment whose base offset lies past every offset the damage could hold. Nothing is unlinked.
   */
  static async open(options: {
    dir: string;
    topic: Topic<unknown>;
    fsync: FsyncPolicy;
    segmentBytes: number;
    onRecovered?: (message: string) => void;
    /** false: write segments without record checksums, as before them (benchmarks, compatibility tests). */
    checksums?: boolean;
  }): Promise<TopicWriter> {
    const { dir, topic, fsync, segmentBytes, onRecovered, checksums = true } = options;
    await mkdir(dir, { recursive: true });
    const release = acquireLock(join(dir, '.lock'), `topic ${topic.name} (${dir})`);
    try {
      const { type, schema } = logEntryType(topic, { checksums, written: true });
      const schemaJson = JSON.stringify(schema);
      await ensureManifest(dir, onRecovered);
      const { manifest } = await readManifest(dir);
      const segments = await listSegments(dir);
      const last = segments.at(-1);
      const gone = (manifest?.segments ?? []).filter((m) => m.base > (last?.base ?? -1));
      if (gone.length)
        throw new ArboretumError(
          'LOG_CORRUPT',
          `${join(dir, segmentName(gone[0].base))}: the topic's last segment, listed in ${MANIFEST}, is missing; appending would reuse its offsets. Restore the file (or, to give its records up, remove its entry from ${join(dir, MANIFEST)})`,
          { context: { topic: topic.name, file: join(dir, segmentName(gone[0].base)) } },
        );
      // Offsets check --repair gave up (quarantined) are never given again.
      let nextOffset = Math.max(0, ...(manifest?.gaps ?? []).map((g) => g.until));
      /** The last segment, when appending goes on in it; otherwise a new segment is created at nextOffset. */
      let reopened: { fh: FileHandle; sync: Buffer; size: number } | undefined;
      if (last) {
        const found = await scanLast(dir, topic, last.base);
        const scan = found.segment;
        if (scan?.torn && scan.torn.start === 0) {
          // Torn while it was created (its header never became whole, no manifest entry): nothing was committed.
          const kept = await quarantine(
            dir,
            last.path,
            `${last.path}: header cut short at ${scan.torn.fileBytes} bytes and not in ${MANIFEST}: a segment torn while created; moved aside by a writer`,
          );
          onRecovered?.(
            `${last.path}: a segment torn while created (${scan.torn.fileBytes} bytes), moved to ${kept}`,
          );
          nextOffset = Math.max(nextOffset, last.base);
        } else if (scan?.badHeader && scan.records === 0 && !found.readable) {
          throw new ArboretumError(
            'LOG_CORRUPT',
            `${last.path}: header does not verify (${found.damage[0]?.reason ?? 'damaged'}) and its records cannot be located; appending would reuse their offsets. Run arboretum log check --repair (it quarantines the file and keeps its bytes)`,
            { context: { topic: topic.name, file: last.path } },
          );
        } else if (scan) {
          nextOffset = Math.max(nextOffset, scan.nextOffset);
          const openEnded = found.damage.filter((d) => d.lost && d.lost.until === undefined);
          if (scan.torn && scan.torn.start > 0) {
            const cut = scan.torn.fileBytes - scan.torn.start;
            const bytes = await readRange(last.path, scan.torn.start, cut);
            const kept = await quarantineBytes(
              dir,
              `${segmentName(last.base)}.torn-at-${scan.torn.start}`,
              bytes,
              `${last.path}: torn tail of ${cut} bytes at byte ${scan.torn.start} (a block cut short after the last verified block), cut by a writer`,
            );
            const fh = await open(last.path, 'r+');
            await fh.truncate(scan.torn.start);
            await fh.datasync();
            await fh.close();
            onRecovered?.(
              `${last.path}: cut a torn tail of ${cut} bytes at byte ${scan.torn.start} (kept in ${kept})`,
            );
          }
          if (scan.damaged || openEnded.length) {
            // Offsets the damaged region may hold are never given again: a record takes at least MIN_RECORD_BYTES.
            const damagedBytes = openEnded.reduce((n, d) => n + (d.bytes ?? 0), 0);
            nextOffset += Math.ceil(damagedBytes / MIN_RECORD_BYTES);
            onRecovered?.(
              `${last.path}: damaged (${found.damage.map((d) => `byte ${d.byteOffset}: ${d.reason}`).join('; ')}); left as it is, appending in a new segment from offset ${nextOffset}; run arboretum log check --repair`,
            );
          } else if (!scan.badHeader && found.schemaJson === schemaJson && scan.verifiedEnd < segmentBytes) {
            // The last segment is sound, of today's schema and not full: append to it.
            reopened = { fh: await open(last.path, 'r+'), sync: found.sync!, size: scan.verifiedEnd };
          }
        }
      }
      const segment = reopened ?? (await createSegment(dir, nextOffset, schema, topic.name));
      return new TopicWriter(
        dir,
        topic,
        type,
        schema,
        fsync,
        segmentBytes,
        release,
        segment.fh,
        segment.sync,
        segment.size,
        nextOffset,
      );
    } catch (e) {
      release();
      throw e;
    }
  }

  /** Appends entries as one block (or joins the block of appends queued meanwhile); resolves with the first offset. */
  append(
    entries: readonly { key: string; value: unknown }[],
  ): Promise<{ offset: number; timestamp: number }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.flushing ??= this.drain().finally(() => {
        this.flushing = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0);
      try {
        const results = await this.writeBatch(batch);
        for (const [i, p] of batch.entries()) p.resolve(results[i]);
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
  }

  private async writeBatch(batch: readonly Pending[]): Promise<{ offset: number; timestamp: number }[]> {
    if (this.size >= this.segmentBytes) await this.roll();
    const timestamp = Date.now();
    const results: { offset: number; timestamp: number }[] = [];
    let pos = 0;
    let count = 0;
    let firstEnd = 0;
    for (const p of batch) {
      results.push({ offset: this.nextOffset + count, timestamp });
      for (const { key, value } of p.entries) {
        const entry: LogEntry = {
          offset: this.nextOffset + count,
          timestamp,
          key,
          value,
          crc: 0,
          blockCrc: 0,
        };
        for (;;) {
          const end = this.type.encode(entry, this.scratch, pos);
          // Room for the checksum's varint (up to 5 bytes where the placeholder took 1).
          if (end >= 0 && end + 4 <= this.scratch.length) {
            pos = this.checksums ? sealRecord(this.scratch, pos, end) : end;
            break;
          }
          const bigger = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, pos - end + 8));
          this.scratch.copy(bigger, 0, 0, pos);
          this.scratch = bigger;
        }
        if (count === 0) firstEnd = pos;
        count++;
      }
    }
    if (count === 0) return results;
    const records = this.scratch.subarray(0, pos);
    const block = encodeBlock(count, this.checksums ? sealBlock(records, firstEnd) : records, this.sync);
    await writeFully(this.fh, block, this.size);
    this.size += block.length;
    this.nextOffset += count;
    if (this.fsync === 'always') await this.fh.datasync();
    else this.dirty = true;
    return results;
  }

  private async syncIfDirty(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await this.fh.datasync().catch(() => {
      this.dirty = true;
    });
  }

  private async roll(): Promise<void> {
    await this.fh.datasync();
    await this.fh.close();
    const created = await createSegment(this.dir, this.nextOffset, this.schema, this.topic.name);
    this.fh = created.fh;
    this.sync = created.sync;
    this.size = created.size;
  }

  /** Waits for queued appends, syncs, closes the segment and releases the lock. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.timer) clearInterval(this.timer);
    if (this.fsync !== 'never') await this.fh.datasync();
    await this.fh.close();
    this.releaseLock();
  }
}

async function writeFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

async function createSegment(dir: string, base: number, schema: unknown, topicName: string) {
  const sync = randomBytes(16);
  const header = encodeHeader(schema, sync, {
    'arboretum.topic': topicName,
    'arboretum.baseOffset': String(base),
  });
  const path = join(dir, segmentName(base));
  const fh = await open(path, 'wx');
  await writeFully(fh, header, 0);
  await fh.datasync();
  const dirHandle = await open(dir, 'r');
  await dirHandle.sync().catch(() => undefined); // make the new file's name durable too
  await dirHandle.close();
  // Then the manifest: a listed segment's header is whole, so a listed segment that is missing was lost.
  const { manifest } = await readManifest(dir);
  const segments = (manifest?.segments ?? []).filter((s) => s.base < base);
  await writeManifest(dir, {
    version: 1,
    segments: [
      ...segments,
      { base, sync: sync.toString('hex'), headerBytes: header.length, schema: schemaFingerprint(schema) },
    ],
    gaps: manifest?.gaps ?? [],
  });
  return { fh, sync, size: header.length };
}

/** A record takes at least this many bytes (offset, timestamp, key union, a value byte, crc, blockCrc). */
const MIN_RECORD_BYTES = 8;

/** Scans the last segment (verifying every record): what a writer needs to know before appending to it. */
async function scanLast(dir: string, topic: Topic<unknown>, base: number) {
  let segment: SegmentScan | undefined;
  const damage: LogDamage[] = [];
  let readable = false;
  await scanTopic({
    dir,
    topic,
    from: base,
    onEntry: () => {},
    onDamage: (d) => {
      if (d.file.endsWith(segmentName(base))) damage.push(d);
    },
    onSegment: (s) => {
      if (s.base === base) segment = s;
    },
  });
  // The sync marker and schema a writer appends with: from the header, or the manifest's record of it.
  let sync: Buffer | undefined;
  let schemaJson = '';
  const { type, schema } = logEntryType(topic, { written: true });
  const { manifest } = await readManifest(dir);
  const listed = manifest?.segments.find((m) => m.base === base);
  const opened = await SegmentReader.open(join(dir, segmentName(base)), type, undefined).catch(
    () => undefined,
  );
  if (opened?.kind === 'open') {
    sync = opened.reader.header.sync;
    schemaJson = JSON.stringify(opened.reader.header.schema);
    await opened.reader.close();
    readable = true;
  } else if (listed) readable = listed.schema === schemaFingerprint(schema);
  return { segment, damage, sync, schemaJson, readable };
}

/** Writes a manifest when there is none (a log from before manifests) or it is damaged (kept in quarantine). */
async function ensureManifest(dir: string, onRecovered?: (message: string) => void): Promise<void> {
  const { manifest, problem } = await readManifest(dir);
  if (manifest) {
    // A crash between a segment's creation and the manifest's update leaves it unlisted: list it now.
    const lastListed = manifest.segments.at(-1)?.base ?? -1;
    const unlisted = [];
    for (const s of await listSegments(dir)) {
      if (s.base <= lastListed) continue;
      const header = await headerOf(s.path);
      if (header) unlisted.push({ base: s.base, ...header });
    }
    if (unlisted.length)
      await writeManifest(dir, { ...manifest, segments: [...manifest.segments, ...unlisted] });
    return;
  }
  if (problem) {
    const kept = await quarantine(dir, join(dir, MANIFEST), `${join(dir, MANIFEST)}: ${problem}`);
    onRecovered?.(`${join(dir, MANIFEST)}: ${problem}; moved to ${kept}, rebuilt from the segments' headers`);
  }
  const segments: ManifestSegment[] = [];
  for (const s of await listSegments(dir)) {
    const header = await headerOf(s.path);
    if (header) segments.push({ base: s.base, ...header });
  }
  await writeManifest(dir, { version: 1, segments, gaps: [] });
}

/** What the manifest records of a segment's header; undefined when it does not verify (readers report it). */
async function headerOf(path: string): Promise<Omit<ManifestSegment, 'base'> | undefined> {
  try {
    const header = parseHeader(await readRange(path, 0, 1 << 20));
    if (!header) return undefined;
    return {
      sync: header.sync.toString('hex'),
      headerBytes: header.length,
      schema: schemaFingerprint(header.schema),
    };
  } catch {
    return undefined;
  }
}

async function readRange(path: string, start: number, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
