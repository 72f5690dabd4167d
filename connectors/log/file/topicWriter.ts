import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { ArboretumError } from '../../../schemas/errors.ts';
import type { Topic } from '../topics.ts';
import { encodeBlock, encodeHeader } from './avroContainer.ts';
import type { LogEntry } from './logEntryType.ts';
import { logEntryType } from './logEntryType.ts';
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
    if (typeof fsync === 'object') {
      this.timer = setInterval(() => void this.syncIfDirty(), fsync.intervalMs);
      this.timer.unref();
    }
  }

  /** Takes the topic's lock, recovers its last segment (cutting a torn tail) and opens it for appending. */
  static async open(options: {
    dir: string;
    topic: Topic<unknown>;
    fsync: FsyncPolicy;
    segmentBytes: number;
    onRecovered?: (message: string) => void;
  }): Promise<TopicWriter> {
    const { dir, topic, fsync, segmentBytes, onRecovered } = options;
    await mkdir(dir, { recursive: true });
    const release = acquireLock(join(dir, '.lock'), `topic ${topic.name} (${dir})`);
    try {
      const { type, schema } = logEntryType(topic);
      const schemaJson = JSON.stringify(schema);
      const segments = await listSegments(dir);
      let nextOffset = 0;
      const last = segments.at(-1);
      if (last) {
        const recovered = await recoverSegment(last.path, last.base, type);
        if (recovered.cut > 0)
          onRecovered?.(`${last.path}: cut a torn tail of ${recovered.cut} bytes at byte ${recovered.end}`);
        nextOffset = recovered.nextOffset;
        if (recovered.headerWhole && recovered.schemaJson === schemaJson && recovered.end < segmentBytes) {
          const fh = await open(last.path, 'r+');
          return new TopicWriter(
            dir,
            topic,
            type,
            schema,
            fsync,
            segmentBytes,
            release,
            fh,
            recovered.sync!,
            recovered.end,
            nextOffset,
          );
        }
        if (!recovered.headerWhole) await unlink(last.path);
      }
      const created = await createSegment(dir, nextOffset, schema, topic.name);
      return new TopicWriter(
        dir,
        topic,
        type,
        schema,
        fsync,
        segmentBytes,
        release,
        created.fh,
        created.sync,
        created.size,
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
    for (const p of batch) {
      results.push({ offset: this.nextOffset + count, timestamp });
      for (const { key, value } of p.entries) {
        const entry: LogEntry = { offset: this.nextOffset + count, timestamp, key, value };
        for (;;) {
          const end = this.type.encode(entry, this.scratch, pos);
          if (end >= 0) {
            pos = end;
            break;
          }
          const bigger = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, pos - end));
          this.scratch.copy(bigger, 0, 0, pos);
          this.scratch = bigger;
        }
        count++;
      }
    }
    if (count === 0) return results;
    const block = encodeBlock(count, this.scratch.subarray(0, pos), this.sync);
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
  return { fh, sync, size: header.length };
}

/** Scans a segment's whole blocks; cuts bytes after the last whole block when nothing whole follows them. */
export async function recoverSegment(path: string, base: number, type: avro.Type, repair = true) {
  const reader = await SegmentReader.open(path);
  if (!reader)
    return { headerWhole: false, nextOffset: base, end: 0, cut: 0, sync: undefined, schemaJson: '' };
  try {
    let nextOffset = base;
    let end = reader.pos;
    let lastBlock: number | undefined;
    for (;;) {
      const read = await reader.next();
      if (read.kind === 'block') {
        nextOffset += read.count;
        end = read.end;
        lastBlock = read.start;
      } else if (read.kind === 'corrupt') {
        reader.seek(read.resume!);
      } else {
        const fileBytes = read.kind === 'incomplete' ? read.fileBytes : end;
        const cut = fileBytes - end;
        if (cut > 0 && repair) {
          const fh = await open(path, 'r+');
          await fh.truncate(end);
          await fh.datasync();
          await fh.close();
        }
        if (lastBlock !== undefined) {
          // Read the last whole block again (the reader reuses its buffer) and take its last record's offset.
          reader.seek(lastBlock);
          const last = await reader.next();
          if (last.kind === 'block')
            nextOffset = lastOffsetIn(last.records, writerTypeOf(reader.header.schema, type)) + 1;
        }
        return {
          headerWhole: true,
          nextOffset,
          end,
          cut,
          sync: reader.header.sync,
          schemaJson: JSON.stringify(reader.header.schema),
        };
      }
    }
  } finally {
    await reader.close();
  }
}

function writerTypeOf(schema: unknown, current: avro.Type): avro.Type {
  const type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });
  return JSON.stringify(type.schema()) === JSON.stringify(current.schema()) ? current : type;
}

/** The offset field of the last record of a block: offsets resume from there even after a corrupt block. */
function lastOffsetIn(records: Buffer, type: avro.Type): number {
  let pos = 0;
  let last = -1;
  while (pos < records.length) {
    const { value, offset } = type.decode(records, pos) as { value: LogEntry; offset: number };
    if (offset < 0) throw new ArboretumError('LOG_CORRUPT', 'undecodable record in the last block');
    last = value.offset;
    pos = offset;
  }
  return last;
}
