import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { firstInvalidUtf8 } from './firstInvalidUtf8.ts';

/** One line of a text file: its 1-based number, the byte offset of its start, its bytes and text (or what is wrong). */
export interface SourceLine {
  readonly line: number;
  /** Byte offset in the file of the line's first byte (after a BOM on line 1). */
  readonly offset: number;
  /**
   * The line's bytes as they are in the file, without the line break (\n or \r\n) and without a BOM: a view into the
   * read chunk (copy it to keep it: a kept view keeps the chunk, 1 MiB), a copy when the line is not valid UTF-8.
   */
  readonly bytes: Buffer;
  /** The decoded line, when its bytes are valid UTF-8. */
  readonly text?: string;
  /** Why there is no text: `invalid UTF-8 at byte N` (N the byte offset in the file). */
  readonly error?: string;
}

const BOM = [0xef, 0xbb, 0xbf];
const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Streams the lines of a UTF-8 text file. A UTF-8 byte order mark at the start is dropped; a line that is not valid
 * UTF-8 comes with `error` naming the file offset of its first bad byte and no text (never decoded with U+FFFD in
 * place of the bad bytes). Blank lines come too: the caller decides what they mean. Reads 1 MiB chunks.
 */
export async function* readLines(file: string): AsyncGenerator<SourceLine> {
  let pending: Buffer = Buffer.alloc(0);
  /** File offset of pending[0]. */
  let base = 0;
  let lineNo = 0;
  let first = true;
  const lineOf = (buf: Buffer, start: number, end: number): SourceLine => {
    let stop = end;
    if (stop > start && buf[stop - 1] === CR) stop--;
    let from = start;
    if (first) {
      first = false;
      if (stop - from >= 3 && buf[from] === BOM[0] && buf[from + 1] === BOM[1] && buf[from + 2] === BOM[2])
        from += 3;
    }
    const bytes = buf.subarray(from, stop);
    const offset = base + from;
    lineNo++;
    if (isUtf8(bytes)) return { line: lineNo, offset, bytes, text: bytes.toString('utf8') };
    return {
      line: lineNo,
      offset,
      bytes,
      error: `invalid UTF-8 at byte ${offset + firstInvalidUtf8(bytes)}`,
    };
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      yield lineOf(buf, start, nl);
      start = nl + 1;
    }
    base += start;
    pending = buf.subarray(start);
  }
  if (pending.length) yield lineOf(pending, 0, pending.length);
}
