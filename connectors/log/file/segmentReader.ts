import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import {
  blockRecords,
  type ContainerHeader,
  parseBlockHeader,
  parseHeader,
  SYNC_BYTES,
} from './avroContainer.ts';

/** What the reader found at its position. */
export type BlockRead =
  | {
      readonly kind: 'block';
      /** Byte range of the whole block in the file. */
      readonly start: number;
      readonly end: number;
      readonly count: number;
      /** The encoded records (decompressed). */
      readonly records: Buffer;
    }
  /** The file ends inside a block (still being written, or a torn tail). */
  | { readonly kind: 'incomplete'; readonly start: number; readonly fileBytes: number }
  /** A block that is not whole and yet not at the end: `resume` is where the next whole block starts, if any. */
  | {
      readonly kind: 'corrupt';
      readonly start: number;
      readonly reason: string;
      readonly resume: number | undefined;
    }
  | { readonly kind: 'end'; readonly start: number };

const CHUNK = 8 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Reads the whole blocks of one segment (an Avro object container file), never serving a partial one.
 * The file may grow while it is read (another process appending).
 */
export class SegmentReader {
  private buf: Buffer = Buffer.alloc(0);
  private chunk: Buffer = Buffer.alloc(0);
  private bufStart = 0;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly header: ContainerHeader,
    /** Byte position of the next block. */
    public pos: number,
  ) {}

  /** Opens a segment; undefined while its header is not yet whole (a segment being created). */
  static async open(path: string): Promise<SegmentReader | undefined> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const head = Buffer.alloc(Math.min(size, 1 << 20));
      await fh.read(head, 0, head.length, 0);
      const header = parseHeader(head);
      if (!header) {
        await fh.close();
        return undefined;
      }
      return new SegmentReader(path, fh, header, header.length);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  /** Makes bytes [pos, pos + n) available in the buffer if the file has them; returns how many are available. */
  private async fill(pos: number, n: number): Promise<number> {
    const have = this.bufStart + this.buf.length - pos;
    if (pos >= this.bufStart && have >= n) return have;
    const want = Math.max(n, CHUNK);
    // One buffer, reused: what callers got from the previous fill (a block's records) is decoded before they call
    // again, and decoding copies strings out of it.
    if (this.chunk.length < want) this.chunk = Buffer.allocUnsafe(want);
    const next = this.chunk;
    // A synchronous read from the page cache costs less than a thread-pool round trip, and the caller decodes
    // the chunk synchronously anyway: reading ahead this way keeps read+decode CPU-bound (see bench/fileLog.ts).
    const bytesRead = readSync(this.fh.fd, next, 0, want, pos);
    this.buf = next.subarray(0, bytesRead);
    this.bufStart = pos;
    return bytesRead;
  }

  private view(pos: number, n: number): Buffer {
    return this.buf.subarray(pos - this.bufStart, pos - this.bufStart + n);
  }

  /** Reads the block at the current position and advances past it when it is whole. */
  async next(): Promise<BlockRead> {
    const start = this.pos;
    const avail = await this.fill(start, 20);
    if (avail === 0) return { kind: 'end', start };
    let block: ReturnType<typeof parseBlockHeader>;
    try {
      block = parseBlockHeader(this.view(start, Math.min(avail, 20)), 0);
    } catch (e) {
      return this.corrupt(start, (e as Error).message);
    }
    if (!block) return { kind: 'incomplete', start, fileBytes: start + avail };
    const total = block.length + block.size + SYNC_BYTES;
    const got = await this.fill(start, total);
    if (got < total) {
      return (await this.syncAfter(start)) === undefined
        ? { kind: 'incomplete', start, fileBytes: start + got }
        : this.corrupt(start, `block of ${block.size} bytes overruns the next sync marker`);
    }
    const whole = this.view(start, total);
    if (!whole.subarray(total - SYNC_BYTES).equals(this.header.sync)) {
      return this.corrupt(start, 'sync marker mismatch');
    }
    let records: Buffer;
    try {
      records = blockRecords(this.header.codec, whole.subarray(block.length, block.length + block.size));
    } catch (e) {
      return this.corrupt(start, (e as Error).message);
    }
    this.pos = start + total;
    return { kind: 'block', start, end: this.pos, count: block.count, records };
  }

  /** Like next(), but checks only the block's header and sync marker without loading its records (counting). */
  async skip(): Promise<BlockRead> {
    const start = this.pos;
    const head = Buffer.allocUnsafe(20);
    const { bytesRead } = await this.fh.read(head, 0, 20, start);
    if (bytesRead === 0) return { kind: 'end', start };
    let block: ReturnType<typeof parseBlockHeader>;
    try {
      block = parseBlockHeader(head.subarray(0, bytesRead), 0);
    } catch {
      return this.next();
    }
    if (!block) return this.next();
    const syncAt = start + block.length + block.size;
    const sync = Buffer.allocUnsafe(SYNC_BYTES);
    const got = await this.fh.read(sync, 0, SYNC_BYTES, syncAt);
    if (got.bytesRead < SYNC_BYTES || !sync.equals(this.header.sync)) return this.next();
    this.pos = syncAt + SYNC_BYTES;
    return { kind: 'block', start, end: this.pos, count: block.count, records: EMPTY };
  }

  private async corrupt(start: number, reason: string): Promise<BlockRead> {
    const resume = await this.syncAfter(start);
    if (resume === undefined) {
      // Nothing whole follows: this is a torn tail, not corruption in the middle.
      const fileBytes = await this.size();
      return { kind: 'incomplete', start, fileBytes };
    }
    return { kind: 'corrupt', start, reason, resume };
  }

  /** Position just after the first sync marker found after `start`, or undefined. */
  private async syncAfter(start: number): Promise<number | undefined> {
    const size = await this.size();
    let pos = start + 1;
    while (pos < size) {
      const n = Math.min(CHUNK, size - pos);
      const chunk = Buffer.allocUnsafe(n);
      const { bytesRead } = await this.fh.read(chunk, 0, n, pos);
      const at = chunk.subarray(0, bytesRead).indexOf(this.header.sync);
      if (at >= 0) return pos + at + SYNC_BYTES;
      if (bytesRead < SYNC_BYTES) return undefined;
      pos += bytesRead - SYNC_BYTES + 1;
    }
    return undefined;
  }

  /** Skips a corrupt region: continue at `pos`. */
  seek(pos: number): void {
    this.pos = pos;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
