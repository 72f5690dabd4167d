import { closeSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BufferedFile, createBufferedFile } from './bufferedFile.ts';
import { escapedRoom, escapeJsonInto } from './escapeJsonInto.ts';
import { IntList } from './intList.ts';

/** Where one spilled record's bytes are: `data` from `start` to `end` (its newline excluded). */
export interface SpilledRecord {
  readonly data: Buffer;
  readonly start: number;
  readonly end: number;
  /** A handle for recordAt (valid until dispose). */
  readonly ref: number;
}

/** Records (lines) spread over buckets, held in memory up to a budget and in one file a bucket past it. */
export interface RowSpill {
  /** Appends `text` as UTF-8 to the record being built. */
  put(text: string): void;
  /** Appends a few bytes (a tab, a field's fixed text) to the record being built. */
  putBytes(bytes: Uint8Array): void;
  /** Appends the UTF-8 of JSON.stringify(text) to the record being built (escapeJsonInto). */
  putJson(text: string): void;
  /** Ends the record being built (no newline in it) and stores it in `bucket`. */
  end(bucket: number): void;
  /** Every record of `bucket`, in no set order (call once a bucket, after the last end). */
  records(bucket: number): SpilledRecord[];
  /** Removes `bucket`'s file, if it has one, once its records are no longer needed. */
  drop(bucket: number): void;
  /** The record a ref points at: in memory as it lies, from a file into a reused buffer (valid to the next call). */
  recordAt(ref: number): { readonly data: Buffer; readonly start: number; readonly end: number };
  /** Closes the files (the memory goes with the spill). */
  dispose(): void;
}

export interface RowSpillOptions {
  /** Folder of the bucket files (only created past the budget; the caller removes the folder). */
  readonly dir: string;
  readonly buckets: number;
  /**
   * Bytes of records held in memory before any goes to a file; default 192 MiB: the 10K-tree bench log's nine
   * formats fit (~145 MiB and the blocks' slack), a 100K-tree export stays well under 1 GiB (834 MiB peak with 256).
   */
  readonly memoryBytes?: number;
  /** Bytes buffered per bucket file before a write; default 256 KiB. */
  readonly bufferBytes?: number;
  /** Bytes of a bucket's block in memory (a record larger gets a block of its own size); default 256 KiB. */
  readonly blockBytes?: number;
}

const NL = 0x0a;

/**
 * A spill that keeps records in memory while they fit the budget: a 10K-tree export (80–145 MiB of records) then
 * writes, reads back and unlinks no spill file, and reads a spread row (trl-kto) where it lies instead of a `pread`
 * a line. Each record is built in one reused buffer (escaped straight into it) and copied whole into its bucket's
 * block (blocks of 256 KiB cut from one arena of the budget's size); past the budget, every later record of a bucket whose block
 * is full goes to that bucket's file, read back whole by `records`. Memory: the budget, one bucket file's size at
 * a time for `records`, the record buffer.
 */
export function createRowSpill(options: RowSpillOptions): RowSpill {
  const { dir, buckets, memoryBytes = 192 << 20, bufferBytes = 256 << 10, blockBytes = 256 << 10 } = options;
  let rec = Buffer.allocUnsafeSlow(1 << 16);
  let used = 0;
  // The budget taken at once, untouched (allocUnsafeSlow: malloc'd, so a page is resident once written): V8 counts
  // an ArrayBuffer as external memory when it is made, and each 32 MiB one made during the replay set off a
  // scavenge and a mark-compact of the fold's heap ("external memory pressure": 9 instead of 4 mark-compacts in
  // three rounds of 12,888 rows). Made before the replay, it costs one collection of a small heap.
  let arena: Buffer | null = memoryBytes > 0 ? Buffer.allocUnsafeSlow(memoryBytes) : null;
  let arenaUsed = 0;
  // Each bucket's current block in the arena: next free byte, block end (-1: none yet).
  const blockPos = new Int32Array(buckets);
  const blockEnd = new Int32Array(buckets).fill(-1);
  // Records in memory, by ref: start, end in the arena; and each bucket's refs.
  const memStart = new IntList();
  const memEnd = new IntList();
  const refsOf = Array.from({ length: buckets }, () => new IntList());
  const files: (BufferedFile | null)[] = Array.from({ length: buckets }, () => null);
  const pathOf = (b: number) => join(dir, `b${b}`);
  const hasFile = new Uint8Array(buckets);
  // Records read back from files: bucket, start, end (file refs are negative: -1 - index).
  const fileBucket = new IntList();
  const fileStart = new IntList();
  const fileEnd = new IntList();
  let fileBuf = Buffer.allocUnsafe(0);
  let scratch = Buffer.allocUnsafe(0);
  const readFds = new Map<number, number>();

  const room = (n: number) => {
    if (used + n <= rec.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(rec.length * 2, used + n));
    rec.copy(bigger, 0, 0, used);
    rec = bigger;
  };
  /** A block of at least `size` bytes for `b` from the arena, or false when the budget is spent. */
  const newBlock = (b: number, size: number): boolean => {
    const want = Math.max(blockBytes, size);
    if (arena === null || arenaUsed + want > arena.length) return false;
    blockPos[b] = arenaUsed;
    blockEnd[b] = arenaUsed + want;
    arenaUsed += want;
    return true;
  };
  /** A whole bucket file, read into the reused `fileBuf` (grown as needed: a fresh one costs a fault a page). */
  const readAll = (path: string): Buffer => {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > fileBuf.length) fileBuf = Buffer.allocUnsafe(Math.max(size, fileBuf.length * 2));
      for (let got = 0; got < size; ) {
        const n = readSync(fd, fileBuf, got, size - got, got);
        if (n === 0) throw new Error(`rowSpill: ${path} ended early`);
        got += n;
      }
      return fileBuf.subarray(0, size);
    } finally {
      closeSync(fd);
    }
  };

  return {
    put(text) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      room(text.length * 3);
      used += rec.write(text, used, 'utf8');
    },
    putBytes(bytes) {
      const n = bytes.length;
      room(n);
      // Byte by byte: these are a few bytes, and TypedArray#set costs ~50 ns a call whatever the size.
      for (let i = 0; i < n; i++) rec[used + i] = bytes[i];
      used += n;
    },
    putJson(text) {
      room(escapedRoom(text));
      const end = escapeJsonInto(text, rec, used);
      if (end !== -1) used = end;
      else used += rec.write(JSON.stringify(text), used, 'utf8');
    },
    end(b) {
      const length = used;
      used = 0;
      if (files[b] === null) {
        if (blockPos[b] + length <= blockEnd[b] || newBlock(b, length)) {
          const at = blockPos[b];
          rec.copy(arena!, at, 0, length);
          blockPos[b] = at + length;
          refsOf[b].push(memStart.length);
          memStart.push(at);
          memEnd.push(at + length);
          return;
        }
        // Past the budget: this bucket's records from here on go to its file (read back after its memory ones).
        files[b] = createBufferedFile({ path: pathOf(b), bufferBytes, flags: 'w' });
        hasFile[b] = 1;
      }
      const file = files[b]!;
      file.putBytes(rec.subarray(0, length));
      file.putBytes(NEWLINE);
    },
    records(b) {
      const out: SpilledRecord[] = [];
      const refs = refsOf[b].toArray();
      for (const ref of refs) {
        out.push({ data: arena!, start: memStart.at(ref), end: memEnd.at(ref), ref });
      }
      const file = files[b];
      if (file !== null && hasFile[b]) {
        file.flush();
        if (file.fd !== null) closeSync(file.fd);
        files[b] = null;
        const data = readAll(pathOf(b));
        for (let start = 0; start < data.length; ) {
          const end = data.indexOf(NL, start);
          out.push({ data, start, end, ref: -1 - fileBucket.length });
          fileBucket.push(b);
          fileStart.push(start);
          fileEnd.push(end);
          start = end + 1;
        }
      }
      return out;
    },
    recordAt(ref) {
      if (ref >= 0) return { data: arena!, start: memStart.at(ref), end: memEnd.at(ref) };
      const i = -1 - ref;
      const b = fileBucket.at(i);
      const start = fileStart.at(i);
      const length = fileEnd.at(i) - start;
      if (length > scratch.length) scratch = Buffer.allocUnsafe(Math.max(length * 2, 1 << 20));
      let fd = readFds.get(b);
      if (fd === undefined) {
        fd = openSync(pathOf(b), 'r');
        readFds.set(b, fd);
      }
      for (let got = 0; got < length; ) {
        const n = readSync(fd, scratch, got, length - got, start + got);
        if (n === 0) throw new Error(`rowSpill: ${pathOf(b)} ended early`);
        got += n;
      }
      return { data: scratch, start: 0, end: length };
    },
    drop(b) {
      if (hasFile[b]) rmSync(pathOf(b), { force: true });
      hasFile[b] = 0;
    },
    dispose() {
      for (const f of files) if (f?.fd != null) closeSync(f.fd);
      files.fill(null);
      for (const fd of readFds.values()) closeSync(fd);
      readFds.clear();
      arena = null;
    },
  };
}

const NEWLINE = Buffer.from('\n');
