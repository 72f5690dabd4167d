import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bucketOf } from './bucketOf.ts';
import { type BufferedFile, createBufferedFile } from './bufferedFile.ts';
import { createLineTally, type LineTally } from './createLineTally.ts';
import type { LineLength } from './lineLengthsOf.ts';
import { spillField } from './spillField.ts';
import { writeChunks } from './writeChunks.ts';

/** Where a row sorts and what it is counted as. */
export interface LineKey {
  readonly treeId: string;
  /** The row id; unique within its kind, so repeats of a row are written once. */
  readonly id: string;
  readonly task: string;
  readonly dataset: string;
  readonly turn: number;
}

/** What finishing wrote: counts, and the token lengths of every distinct record in written order. */
export type FinishedLines = LineTally;

export interface SortedLines {
  /** Adds the JSON lines (no raw newline inside) of one row, with their token lengths (0 when not given). */
  add(key: LineKey, lines: readonly string[], lengths?: readonly LineLength[]): void;
  /**
   * Writes every line once, in canonical order, to `path` (through a temporary file); `onLine` is told the tree key
   * of each line written, in order. The counts and lengths.
   */
  finish(path: string, onLine?: (treeId: string) => void): Promise<FinishedLines>;
  /** Removes the spill files. */
  dispose(): Promise<void>;
}

export interface SortedLinesOptions {
  /** Folder for the spill files (created inside it, removed by dispose). */
  readonly tempDir: string;
  /** Spill buckets, a power of two ≤ 256; each must fit in memory when sorted. Default 64. */
  readonly buckets?: number;
  /** Bytes buffered per bucket before a write; default 256 KiB. */
  readonly bufferBytes?: number;
}

const pad = (n: number) => String(n).padStart(4, '0');
const NL = 0x0a;
const TAB = 0x09;

/**
 * Puts lines in one canonical order with bounded memory: each line goes, tagged with its key, to a spill file
 * chosen by its tree (bucketOf); at the end each bucket is read, sorted by (tree id, row id, line index), stripped
 * of repeats and appended to the output. Memory holds the write buffers and one bucket at a time, so it follows the
 * largest bucket (output size / buckets), not the history. This order makes an export byte-identical whatever
 * order the log delivered the trees in (either backend, any replay).
 */
export async function createSortedLines(options: SortedLinesOptions): Promise<SortedLines> {
  const { buckets = 64, bufferBytes = 256 << 10 } = options;
  const dir = await mkdtemp(join(options.tempDir, 'arboretum-sort-'));
  const files = Array.from({ length: buckets }, (_, i) => join(dir, `b${i}`));
  // One buffered spill file per bucket, opened on its first record.
  let spills: (BufferedFile | null)[] = files.map(() => null);
  return {
    add(key, lines, lengths) {
      const b = bucketOf(key.treeId, buckets);
      const head = `${spillField(key.treeId)}\t${spillField(key.id)}\t`;
      const tail = `\t${spillField(key.task)}\t${spillField(key.dataset)}\t${key.turn}\t`;
      for (let sub = 0; sub < lines.length; sub++) {
        const l = lengths?.[sub];
        spills[b] ??= createBufferedFile({ path: files[b], bufferBytes });
        // Header and line put apart: one concatenated string would be copied once more to flatten it.
        const spill = spills[b]!;
        spill.put(`${head}${pad(sub)}${tail}${l ? l.prompt : 0},${l ? l.total : 0}\t`);
        spill.put(lines[sub]);
        spill.put('\n');
      }
    },
    async finish(path, onLine) {
      for (const spill of spills) {
        spill?.flush();
        if (spill?.fd != null) closeSync(spill.fd);
      }
      spills = files.map(() => null);
      const tmp = `${path}.tmp-${process.pid}`;
      const out = openSync(tmp, 'w');
      const tally = createLineTally();
      try {
        for (let b = 0; b < buckets; b++) {
          let data: Buffer;
          try {
            data = readFileSync(files[b]);
          } catch {
            continue; // no line fell in this bucket
          }
          // Records are `tree\tid\tsub\ttask\tdataset\tturn\tprompt,total\tline\n`; only the small header is
          // decoded, the line is copied as bytes.
          const keyed: { key: string; start: number; head: number; end: number }[] = [];
          for (let start = 0; start < data.length; ) {
            const end = data.indexOf(NL, start);
            const i3 = data.indexOf(TAB, data.indexOf(TAB, data.indexOf(TAB, start) + 1) + 1);
            keyed.push({ key: data.toString('utf8', start, i3), start, head: i3, end });
            start = end + 1;
          }
          keyed.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
          const chunk: Buffer[] = [];
          let chunkBytes = 0;
          let previous = '';
          for (const { key, head, end } of keyed) {
            if (key === previous) continue;
            previous = key;
            const i4 = data.indexOf(TAB, head + 1);
            const i5 = data.indexOf(TAB, i4 + 1);
            const i6 = data.indexOf(TAB, i5 + 1);
            const task = data.toString('utf8', head + 1, i4);
            const dataset = data.toString('utf8', i4 + 1, i5);
            const turn = Number(data.toString('latin1', i5 + 1, i6));
            const i7 = data.indexOf(TAB, i6 + 1);
            const [prompt, all] = data.toString('latin1', i6 + 1, i7).split(',');
            if (onLine) onLine(key.slice(0, key.indexOf('\t')));
            tally.add(task, dataset, turn, Number(prompt), Number(all));
            chunk.push(data.subarray(i7 + 1, end + 1));
            chunkBytes += end - i7;
            if (chunkBytes >= 1 << 22) {
              writeChunks(out, chunk);
              chunk.length = 0;
              chunkBytes = 0;
            }
          }
          if (chunk.length) writeChunks(out, chunk);
          rmSync(files[b], { force: true });
        }
        closeSync(out);
        await rename(tmp, path);
      } catch (e) {
        closeSync(out);
        await rm(tmp, { force: true });
        throw e;
      }
      return tally.result();
    },
    async dispose() {
      for (const spill of spills) if (spill?.fd != null) closeSync(spill.fd);
      spills = files.map(() => null);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
