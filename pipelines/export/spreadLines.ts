import { closeSync, openSync, readSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { writeChunks } from './writeChunks.ts';

/** How a spread file is laid out. */
export interface Spread {
  /** Rows of the largest group (rows sharing one prompt): the number of passes. */
  readonly width: number;
  /**
   * The least distance, in rows, between two rows of one group (Infinity when no group has two rows). Any block of
   * up to this many consecutive rows holds each prompt at most once.
   */
  readonly minGap: number;
}

/** Calls `each` with every line (newline included) of a file, read in 1 MiB chunks. */
function forEachLine(path: string, each: (line: Buffer, k: number) => void) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let rest: Buffer = Buffer.alloc(0);
  let k = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const data = rest.length ? Buffer.concat([rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
        each(data.subarray(start, nl + 1), k++);
        start = nl + 1;
      }
      rest = Buffer.from(data.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Rewrites `src` — N lines where each group of rows sharing a prompt is contiguous (`groups` = the group sizes in
 * order) — into `dst` so the rows of a group are about N / width apart: line k goes to row ⌊k / width⌋ of column
 * k mod width of a width-column table, and the table is written column by column (one streaming pass over `src`
 * per column, so memory stays flat). A group (≤ width consecutive lines) lands in distinct columns, hence ≥
 * ⌈N / width⌉ − 2 rows apart. The exact least gap is computed and returned.
 */
export async function spreadLines(src: string, dst: string, groups: Int32Array): Promise<Spread> {
  let n = 0;
  let width = 1;
  for (const g of groups) {
    n += g;
    if (g > width) width = g;
  }
  // Where column c starts in the output: the sizes of the columns before it.
  const colStart: number[] = [0];
  for (let c = 1; c < width; c++) colStart.push(colStart[c - 1] + Math.ceil((n - (c - 1)) / width));
  const pos = (k: number) => colStart[k % width] + Math.floor(k / width);
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 0, start = 0; i < groups.length; start += groups[i++]) {
    for (let a = start; a < start + groups[i]; a++) {
      for (let b = a + 1; b < start + groups[i]; b++) minGap = Math.min(minGap, Math.abs(pos(a) - pos(b)));
    }
  }
  const tmp = `${dst}.tmp-${process.pid}`;
  const out = openSync(tmp, 'w');
  try {
    for (let c = 0; c < width; c++) {
      const chunk: Buffer[] = [];
      let bytes = 0;
      forEachLine(src, (line, k) => {
        if (k % width !== c) return;
        chunk.push(Buffer.from(line));
        bytes += line.length;
        if (bytes >= 1 << 22) {
          writeChunks(out, chunk);
          chunk.length = 0;
          bytes = 0;
        }
      });
      if (chunk.length) writeChunks(out, chunk);
    }
    closeSync(out);
    await rename(tmp, dst);
  } catch (e) {
    closeSync(out);
    await rm(tmp, { force: true });
    throw e;
  }
  return { width, minGap };
}
