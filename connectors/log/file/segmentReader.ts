import { readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import avro from 'avsc';
import { zigzagVarintSize } from '../zigzagVarintSize.ts';
import {
  blockRecords,
  type ContainerHeader,
  HEADER_CRC,
  parseBlockHeader,
  parseHeader,
  readLong,
  SYNC_BYTES,
} from './avroContainer.ts';
import { hasCrc, type LogEntry } from './logEntryType.ts';
import { blockVerifies, recordVerifies } from './sealRecords.ts';

/** A region inside a block that did not verify; it lies before `entries[before]` of its block. */
export interface BlockDamage {
  readonly before: number;
  readonly byte: number;
  readonly bytes: number;
  readonly reason: string;
}

/** What the reader found at its position. */
export type BlockRead =
  | {
      readonly kind: 'block';
      /** Byte range of the block in the file ([start, end)); the next read starts at `end`. */
      readonly start: number;
      readonly end: number;
      readonly count: number;
      /** The records that verified (checksum, where the segment has them), in file order. */
      readonly entries: readonly LogEntry[];
      /** Regions of the block that did not verify (none for a sound block). */
      readonly damage: readonly BlockDamage[];
    }
  /** Structure only (skip()): a whole block, its count and the offset field of its first record (unverified). */
  | {
      readonly kind: 'skipped';
      readonly start: number;
      readonly end: number;
      readonly count: number;
      readonly firstOffset: number | undefined;
    }
  /** A region of which nothing verified; reading goes on at `resume`, where the next whole block starts. */
  /**
   * A sound block served lazily (next(expected, { lazy: true })): its bytes verified by the block checksum and its
   * records counted (as many as its header says, each decoding), then each record decoded when taken, so one record
   * at a time is alive rather than the whole block (~5,000 events, ~8 MB of strings promoted by every scavenge while
   * the block was served). `take()` gives the records in file order, then undefined; a record that does not decode
   * after all (the count pass only skips) adds its region to `damage` (before it, as next() does) and ends the block.
   * Take every record before the reader's next call: they are decoded from the reader's buffer.
   */
  | {
      readonly kind: 'records';
      readonly start: number;
      readonly end: number;
      readonly count: number;
      readonly take: () => LogEntry | undefined;
      readonly damage: BlockDamage[];
    }
  | { readonly kind: 'damaged'; readonly start: number; readonly resume: number; readonly reason: string }
  /**
   * The file ends inside a block and no whole block follows. `prefix` when the bytes are a consistent start of a
   * block (or all zeros): what a crash mid-append or a writer still writing leaves. Otherwise they are damage.
   */
  | {
      readonly kind: 'tail';
      readonly start: number;
      readonly fileBytes: number;
      readonly prefix: boolean;
      /** The offset field of the first record, when the prefix holds it (the caller compares with what it expects). */
      readonly firstOffset: number | undefined;
      readonly reason: string;
    }
  | { readonly kind: 'end'; readonly start: number };

/** How to read a segment whose own header does not verify (from the topic's manifest). */
export interface HeaderFallback {
  readonly sync: Buffer;
  readonly headerBytes: number;
  /** The writer schema the manifest recorded (by fingerprint) for the segment; read into the reader's type. */
  readonly schema: unknown;
}

export type SegmentOpen =
  | { readonly kind: 'open'; readonly reader: SegmentReader }
  /** The file ends inside its header: a segment being created, or torn while created. */
  | { readonly kind: 'incomplete'; readonly fileBytes: number }
  /** The header does not verify; `reader` is there when the manifest's record of it lets the blocks be read. */
  | {
      readonly kind: 'badHeader';
      readonly reason: string;
      readonly fileBytes: number;
      readonly headerBytes: number;
      readonly reader?: SegmentReader;
    };

const CHUNK = 8 << 20;
const HEAD = 1 << 20;
/** By reader type (identity: a read projection's LogEntry has the same name), then writer schema JSON. */
const resolvers = new WeakMap<avro.Type, Map<string, { resolver: avro.Resolver | undefined }>>();

/** By writer schema JSON: a resolver into a LogEntry of its offset alone (the count pass skips everything else). */
const counters = new Map<string, { type: avro.Type; resolver: avro.Resolver }>();
const offsetOnly = avro.Type.forSchema({
  type: 'record',
  name: 'LogEntry',
  namespace: 'arboretum.log',
  fields: [{ name: 'offset', type: 'long' }],
} as avro.Schema);

function counterFor(writerSchema: unknown): { type: avro.Type; resolver: avro.Resolver } {
  const key = JSON.stringify(writerSchema);
  let found = counters.get(key);
  if (!found) {
    const writer = avro.Type.forSchema(writerSchema as avro.Schema, { wrapUnions: 'auto' });
    found = { type: offsetOnly, resolver: offsetOnly.createResolver(writer) };
    counters.set(key, found);
  }
  return found;
}

/** A resolver from a writer schema to the reader's LogEntry type; undefined when they are the same. */
function resolverFor(current: avro.Type, writerSchema: unknown): avro.Resolver | undefined {
  let byWriter = resolvers.get(current);
  if (!byWriter) {
    byWriter = new Map();
    resolvers.set(current, byWriter);
  }
  const key = JSON.stringify(writerSchema);
  let found = byWriter.get(key);
  if (!found) {
    const writer = avro.Type.forSchema(writerSchema as avro.Schema, { wrapUnions: 'auto' });
    found = {
      resolver:
        JSON.stringify(writer.schema()) === JSON.stringify(current.schema())
          ? undefined
          : current.createResolver(writer),
    };
    byWriter.set(key, found);
  }
  return found.resolver;
}

/**
 * Reads the blocks of one segment (an Avro object container file), verifying each record's checksum where the
 * segment has them, never serving a record that does not verify. The file may grow while it is read.
 */
export class SegmentReader {
  private buf: Buffer = Buffer.alloc(0);
  private chunk: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  /** True when records carry the crc field (segments written since checksums). */
  readonly checked: boolean;
  private readonly resolver: avro.Resolver | undefined;
  private counter: { type: avro.Type; resolver: avro.Resolver } | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly header: Pick<ContainerHeader, 'schema' | 'codec' | 'sync' | 'length'>,
    private readonly type: avro.Type,
    /** Byte position of the next block. */
    public pos: number,
  ) {
    this.checked = hasCrc(header.schema);
    this.resolver = resolverFor(type, header.schema);
  }

  /** Opens a segment and verifies its header; with a fallback, a segment whose header is damaged is still read. */
  static async open(path: string, type: avro.Type, fallback?: HeaderFallback): Promise<SegmentOpen> {
    const fh = await open(path, 'r');
    let keep = false;
    try {
      const { size } = await fh.stat();
      const head = Buffer.alloc(Math.min(size, HEAD));
      await fh.read(head, 0, head.length, 0);
      let header: ContainerHeader | undefined;
      // A damaged header of a segment the manifest knows is read with the header the manifest recorded.
      const fromManifest = (f: HeaderFallback, reason: string): SegmentOpen => {
        keep = true;
        const recorded = { schema: f.schema, codec: 'null', sync: f.sync, length: f.headerBytes };
        return {
          kind: 'badHeader',
          reason,
          fileBytes: size,
          headerBytes: f.headerBytes,
          reader: new SegmentReader(path, fh, recorded, type, f.headerBytes),
        };
      };
      try {
        header = parseHeader(head);
      } catch (e) {
        const reason = (e as Error).message;
        if (!fallback) return { kind: 'badHeader', reason, fileBytes: size, headerBytes: 0 };
        return fromManifest(fallback, reason);
      }
      // The manifest records this header as written whole: a header that now ends early is damaged.
      if (!header && fallback) return fromManifest(fallback, 'header cut short');
      if (!header) {
        if (size >= HEAD)
          return { kind: 'badHeader', reason: 'header longer than 1 MiB', fileBytes: size, headerBytes: 0 };
        return { kind: 'incomplete', fileBytes: size };
      }
      keep = true;
      if (header.crc === 'absent' && hasCrc(header.schema)) {
        // Headers of checksummed segments always carry their checksum entry: one without it was altered (its key
        // hit). The records still verify by their own checksums, so they are read; the header is reported.
        return {
          kind: 'badHeader',
          reason: `header has no ${HEADER_CRC} entry though its records carry checksums (the header was altered)`,
          fileBytes: size,
          headerBytes: header.length,
          reader: new SegmentReader(path, fh, header, type, header.length),
        };
      }
      return { kind: 'open', reader: new SegmentReader(path, fh, header, type, header.length) };
    } finally {
      if (!keep) await fh.close();
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
    // Bytes from pos that the buffer already holds are kept (moved to its front), and only the rest is read: a block
    // larger than CHUNK was otherwise read twice, once by the header's fill and again whole (8 MiB of 8.3 MB blocks).
    const keep = pos >= this.bufStart && have > 0 ? have : 0;
    const from = pos - this.bufStart;
    // One buffer, reused: what callers got from the previous fill is decoded before they call again, and decoding
    // copies strings out of it.
    const next = this.chunk.length < want ? Buffer.allocUnsafe(want) : this.chunk;
    if (keep > 0 && (next !== this.chunk || from > 0)) this.chunk.copy(next, 0, from, from + keep);
    this.chunk = next;
    // A synchronous read from the page cache costs less than a thread-pool round trip, and the caller decodes
    // the chunk synchronously anyway: reading ahead this way keeps read+decode CPU-bound (see bench/fileLog.ts).
    const bytesRead = readSync(this.fh.fd, next, keep, want - keep, pos + keep);
    this.buf = next.subarray(0, keep + bytesRead);
    this.bufStart = pos;
    return keep + bytesRead;
  }

  private view(pos: number, n: number): Buffer {
    return this.buf.subarray(pos - this.bufStart, pos - this.bufStart + n);
  }

  /**
   * Reads and verifies the block at the current position and advances past it. `expected` is the offset the
   * caller expects next (it narrows the search for the next sound record after a damaged one). `lazy`: a sound
   * block of a checksummed segment comes back as `records`, decoded as its records are taken (see BlockRead).
   */
  async next(expected?: number, options?: { readonly lazy?: boolean }): Promise<BlockRead> {
    const start = this.pos;
    const avail = await this.fill(start, 20);
    if (avail === 0) return { kind: 'end', start };
    let block: ReturnType<typeof parseBlockHeader>;
    try {
      block = parseBlockHeader(this.view(start, Math.min(avail, 20)), 0);
    } catch (e) {
      return this.damaged(start, (e as Error).message);
    }
    if (!block) return this.tail(start);
    const total = block.length + block.size + SYNC_BYTES;
    const got = await this.fill(start, total);
    if (got < total) {
      return (await this.syncAfter(start)) === undefined
        ? this.tail(start)
        : this.damaged(start, `block of ${block.size} bytes overruns the next sync marker`);
    }
    const whole = this.view(start, total);
    const syncOk = whole.subarray(total - SYNC_BYTES).equals(this.header.sync);
    // Without checksums nothing inside a block with a broken frame can be trusted.
    if (!syncOk && !(this.checked && this.header.codec === 'null'))
      return this.damaged(start, 'sync marker mismatch');
    let data: Buffer;
    try {
      data = blockRecords(this.header.codec, whole.subarray(block.length, block.length + block.size));
    } catch (e) {
      return this.damaged(start, (e as Error).message);
    }
    const dataAt = start + block.length;
    if (syncOk && options?.lazy) {
      const lazy = this.lazyRecords(data, dataAt, block.count);
      if (lazy) {
        this.pos = start + total;
        return { kind: 'records', start, end: this.pos, count: block.count, ...lazy };
      }
    }
    const { entries, damage, verifiedEnd } = this.decode(data, dataAt, block.count, expected);
    // A block whose marker or record count disagrees with its header may have a damaged header (count or size):
    // the first region, when it starts the block's records, then starts at the header, so it holds the flipped bit.
    const first = damage[0];
    if ((!syncOk || entries.length !== block.count) && first && first.before === 0 && first.byte === dataAt)
      damage[0] = { ...first, byte: start, bytes: first.bytes + (dataAt - start) };
    /** The header lied (its count or size): name its bytes too, unless a region already starts at the header. */
    const blameHeader = (reason: string) => {
      if (damage[0]?.byte !== start) damage.unshift({ before: 0, byte: start, bytes: block.length, reason });
    };
    if (syncOk) {
      // With a frame that holds (size and marker agree) and no record lost, only the count can be wrong.
      if (damage.length === 0 && entries.length !== block.count)
        blameHeader(`block header says ${block.count} records, ${entries.length} verified`);
      this.pos = start + total;
      return { kind: 'block', start, end: this.pos, count: block.count, entries, damage };
    }
    // The sync marker is damaged. The records that verified are sound; where does the next block start? Right
    // after them (the marker alone was hit), at the declared end, or at the next sync marker found.
    const size = await this.size();
    const candidates = [dataAt + verifiedEnd + SYNC_BYTES, start + total];
    let resume: number | undefined;
    for (const c of candidates) if (c === size || (c < size && (await this.blockAt(c)))) resume ??= c;
    resume ??= await this.syncAfter(start);
    if (entries.length === 0) {
      if (resume === undefined) return this.tail(start);
      return this.damaged(start, 'sync marker mismatch', resume);
    }
    // The next block does not start where the header's size says: the size (or count) is what was damaged, and a
    // bit flipped there must be named as well as the records cut short after it.
    if (resume !== start + total)
      blameHeader(`block header says ${block.size} bytes; the next sync marker is elsewhere`);
    damage.push({
      before: entries.length,
      byte: dataAt + verifiedEnd,
      bytes: (resume ?? size) - (dataAt + verifiedEnd),
      reason: 'sync marker mismatch after the verified records of the block',
    });
    this.pos = resume ?? size;
    return { kind: 'block', start, end: this.pos, count: block.count, entries, damage };
  }

  /**
   * Decodes a block's records. Fast path: the first record's blockCrc verifies the whole block in one pass. When it
   * does not, each record is checked by its own crc; one that fails is skipped and the next sound one searched for.
   */
  private decode(data: Buffer, fileByte: number, count: number, expected: number | undefined) {
    const entries: LogEntry[] = [];
    const damage: BlockDamage[] = [];
    let pos = 0;
    let verifiedEnd = 0;
    const note = (at: number, until: number, reason: string) => {
      const last = damage.at(-1);
      if (last && last.before === entries.length && last.byte + last.bytes === fileByte + at)
        damage[damage.length - 1] = { ...last, bytes: until - at + last.bytes };
      else damage.push({ before: entries.length, byte: fileByte + at, bytes: until - at, reason });
    };
    let blockFailed = false;
    if (this.checked && data.length) {
      const first = this.decodeRaw(data, 0);
      blockFailed = true;
      if (first.entry && blockVerifies(data, first.end, first.entry.blockCrc ?? -1)) {
        entries.push(first.entry);
        pos = first.end;
        while (pos < data.length) {
          const one = this.decodeRaw(data, pos);
          if (!one.entry) {
            note(pos, data.length, one.reason);
            break;
          }
          entries.push(one.entry);
          pos = one.end;
        }
        return { entries, damage, verifiedEnd: pos };
      }
    }
    while (pos < data.length) {
      const one = this.decodeOne(data, pos);
      if (one.entry) {
        entries.push(one.entry);
        pos = one.end;
        verifiedEnd = pos;
        continue;
      }
      if (!this.checked) {
        note(pos, data.length, one.reason);
        break;
      }
      // Search forward for the next record that decodes, verifies, and carries a plausible offset.
      const after = entries.at(-1)?.offset ?? (expected ?? 0) - 1;
      const found = this.resync(data, pos + 1, after, after + count + 1);
      // Right after a verified record, the bit may sit in that record's blockCrc, the one field its own crc does not
      // cover (a flipped continuation bit shifts where it ends): the region starts at that field.
      const previous = pos === verifiedEnd ? entries.at(-1) : undefined;
      const at = previous ? Math.max(0, pos - zigzagVarintSize(previous.blockCrc ?? 0)) : pos;
      note(at, found ?? data.length, one.reason);
      if (found === undefined) break;
      pos = found;
    }
    // The block's checksum failed though every record verified: the bit is in blockCrc itself. Say so.
    if (blockFailed && damage.length === 0)
      damage.push({
        before: 0,
        byte: fileByte,
        bytes: data.length,
        reason: 'block checksum (blockCrc) mismatch; every record verified by its own crc',
      });
    return { entries, damage, verifiedEnd };
  }

  /**
   * The records of a sound block, to be decoded as they are taken; undefined when the block is not that (no
   * checksums, the block checksum fails, a record does not even skip, or the count disagrees with the header):
   * decode() then finds and names the damage exactly as before, since nothing of the block was served.
   */
  private lazyRecords(
    data: Buffer,
    fileByte: number,
    count: number,
  ): { take: () => LogEntry | undefined; damage: BlockDamage[] } | undefined {
    if (!this.checked || data.length === 0) return undefined;
    const first = this.decodeRaw(data, 0);
    if (!first.entry || !blockVerifies(data, first.end, first.entry.blockCrc ?? -1)) return undefined;
    // Count pass: each record skipped field by field (offset decoded, the rest only measured), no strings made.
    this.counter ??= counterFor(this.header.schema);
    const { type, resolver } = this.counter;
    let n = 1;
    let pos = first.end;
    try {
      while (pos < data.length) {
        pos = (type.decode(data, pos, resolver) as { offset: number }).offset;
        if (pos < 0 || pos > data.length) return undefined;
        n++;
      }
    } catch {
      return undefined;
    }
    if (n !== count) return undefined;
    const damage: BlockDamage[] = [];
    let served = 0;
    let at = 0;
    const take = (): LogEntry | undefined => {
      if (served === 0) {
        served = 1;
        at = first.end;
        return first.entry;
      }
      if (at >= data.length) return undefined;
      const one = this.decodeRaw(data, at);
      if (!one.entry) {
        damage.push({ before: served, byte: fileByte + at, bytes: data.length - at, reason: one.reason });
        at = data.length;
        return undefined;
      }
      served++;
      at = one.end;
      return one.entry;
    };
    return { take, damage };
  }

  private decodeRaw(
    data: Buffer,
    pos: number,
  ):
    | { entry: LogEntry; end: number; reason?: undefined }
    | { entry?: undefined; end?: undefined; reason: string } {
    let value: LogEntry;
    let end: number;
    try {
      const decoded = this.type.decode(data, pos, this.resolver) as { value: LogEntry; offset: number };
      value = decoded.value;
      end = decoded.offset;
    } catch (e) {
      return { reason: `record does not decode (${(e as Error).message})` };
    }
    if (end < 0 || end > data.length) return { reason: 'record overruns its block' };
    return { entry: value, end };
  }

  /** One record, verified by its own checksum where the segment has them. */
  private decodeOne(data: Buffer, pos: number): ReturnType<SegmentReader['decodeRaw']> {
    const one = this.decodeRaw(data, pos);
    if (!one.entry || !this.checked) return one;
    if (!recordVerifies(data, pos, one.end, one.entry.crc ?? -1, one.entry.blockCrc ?? -1))
      return { reason: 'record checksum mismatch' };
    return one;
  }

  /** The first position in [from, data.length) where a record with an offset in (after, before] verifies. */
  private resync(data: Buffer, from: number, after: number, before: number): number | undefined {
    for (let p = from; p < data.length - 2; p++) {
      const v = readLongSafe(data, p);
      if (v === undefined || v <= after || v > before) continue;
      const one = this.decodeOne(data, p);
      if (one.entry && one.entry.offset === v) return p;
    }
    return undefined;
  }

  /** True when a whole block with this file's sync marker starts at `pos`. */
  private async blockAt(pos: number): Promise<boolean> {
    // No block starts inside a sync marker: a header size one byte short points at the marker's last byte, which with
    // its high bit set reads as the first byte of a count whose second is the next block's count, followed by that
    // block's size — a "block" that ends at the next block's own marker and so would pass below (seen with
    // random sync markers in test/log/corruption.test.ts, about one run in six).
    const around = Buffer.allocUnsafe(2 * SYNC_BYTES - 1);
    const from = Math.max(0, pos - (SYNC_BYTES - 1));
    const near = await this.fh.read(around, 0, around.length, from);
    const at = around.subarray(0, near.bytesRead).indexOf(this.header.sync);
    if (at >= 0 && from + at < pos && from + at + SYNC_BYTES > pos) return false;
    const head = Buffer.allocUnsafe(20);
    const { bytesRead } = await this.fh.read(head, 0, 20, pos);
    let block: ReturnType<typeof parseBlockHeader>;
    try {
      block = parseBlockHeader(head.subarray(0, bytesRead), 0);
    } catch {
      return false;
    }
    if (!block) return false;
    const sync = Buffer.allocUnsafe(SYNC_BYTES);
    const got = await this.fh.read(sync, 0, SYNC_BYTES, pos + block.length + block.size);
    return got.bytesRead === SYNC_BYTES && sync.equals(this.header.sync);
  }

  /** Like next(), but checks only the block's structure, without verifying its records (finding an offset). */
  async skip(): Promise<BlockRead> {
    const start = this.pos;
    const head = Buffer.allocUnsafe(30);
    const { bytesRead } = await this.fh.read(head, 0, 30, start);
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
    const firstOffset =
      this.header.codec === 'null' ? readLongSafe(head.subarray(0, bytesRead), block.length) : undefined;
    return { kind: 'skipped', start, end: this.pos, count: block.count, firstOffset };
  }

  private async damaged(start: number, reason: string, known?: number): Promise<BlockRead> {
    const resume = known ?? (await this.syncAfter(start));
    if (resume === undefined) return this.tail(start, reason);
    this.pos = resume;
    return { kind: 'damaged', start, resume, reason };
  }

  /** The file ends inside a block at `start`: is it a consistent prefix of one (torn), or something else? */
  private async tail(start: number, why?: string): Promise<BlockRead> {
    const fileBytes = await this.size();
    const n = Math.min(fileBytes - start, 1 << 16);
    const bytes = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.fh.read(bytes, 0, n, start);
    const got = bytes.subarray(0, bytesRead);
    if (fileBytes - start <= got.length && got.every((b) => b === 0))
      return { kind: 'tail', start, fileBytes, prefix: true, firstOffset: undefined, reason: 'zero bytes' };
    let block: ReturnType<typeof parseBlockHeader>;
    try {
      block = parseBlockHeader(got, 0);
    } catch (e) {
      return {
        kind: 'tail',
        start,
        fileBytes,
        prefix: false,
        firstOffset: undefined,
        reason: (e as Error).message,
      };
    }
    if (!block)
      return {
        kind: 'tail',
        start,
        fileBytes,
        prefix: true,
        firstOffset: undefined,
        reason: 'block header cut',
      };
    const declaredEnd = start + block.length + block.size + SYNC_BYTES;
    const plausible = block.count > 0 && block.size >= block.count && declaredEnd > fileBytes;
    const firstOffset = this.header.codec === 'null' ? readLongSafe(got, block.length) : undefined;
    return {
      kind: 'tail',
      start,
      fileBytes,
      prefix: plausible,
      firstOffset,
      reason: plausible
        ? 'block cut short'
        : (why ?? `bytes after the last whole block do not start a block`),
    };
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

  /** Continue at `pos` (a block start). */
  seek(pos: number): void {
    this.pos = pos;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

function readLongSafe(buf: Buffer, pos: number): number | undefined {
  try {
    return readLong(buf, pos)?.value;
  } catch {
    return undefined;
  }
}
