import { closeSync, openSync, readSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type Spread, spreadOf } from './spreadOf.ts';
import { writeChunks } from './writeChunks.ts';

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
 * order) — into `dst` laid out as spreadOf says, one streaming pass over `src` per column (so memory stays flat).
 * The spread is returned.
 */
export async function spreadLines(src: string, dst: string, groups: Int32Array): Promise<Spread> {
  const { width, minGap } = spreadOf(groups);
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
