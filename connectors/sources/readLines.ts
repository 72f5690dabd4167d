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
   * read chunk (copy it to keep it: a kept view keeps the chunk), a copy when the line is not valid UTF-8.
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
 * place of the bad bytes). Blank lines come too: the caller decides what they mean. Reads 64 KiB chunks (larger ones
 * made a slow consumer wait on each read: the next chunk is only asked for when the last is used up); a line longer
 * than a chunk is joined once, at its end.
 */
export async function* readLines(file: string): AsyncGenerator<SourceLine> {
  /** The start of a line that began in earlier chunks (no newline yet). */
  let parts: Buffer[] = [];
  /** File offset of the next line's first byte. */
  let offset = 0;
  let lineNo = 0;
  const lineOf = (raw: Buffer): SourceLine => {
    let bytes = raw.length && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    let at = offset;
    offset += raw.length + 1;
    lineNo++;
    if (
      lineNo === 1 &&
      bytes.length >= 3 &&
      bytes[0] === BOM[0] &&
      bytes[1] === BOM[1] &&
      bytes[2] === BOM[2]
    ) {
      bytes = bytes.subarray(3);
      at += 3;
    }
    if (isUtf8(bytes)) return { line: lineNo, offset: at, bytes, text: bytes.toString('utf8') };
    // A copy: such a line is kept (dead-lettered), and a view would keep its whole chunk alive.
    return {
      line: lineNo,
      offset: at,
      bytes: Buffer.from(bytes),
      error: `invalid UTF-8 at byte ${at + firstInvalidUtf8(bytes)}`,
    };
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (nl >= 0 && parts.length) {
      parts.push(chunk.subarray(0, nl));
      yield lineOf(Buffer.concat(parts));
      parts = [];
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    for (; nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      yield lineOf(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
  }
  if (parts.length) yield lineOf(Buffer.concat(parts));
}
