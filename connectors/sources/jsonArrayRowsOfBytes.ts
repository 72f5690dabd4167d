import { isUtf8 } from 'node:buffer';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { firstInvalidUtf8 } from './firstInvalidUtf8.ts';
import { jsonArrayElements } from './jsonArrayElements.ts';
import type { RawRow } from './sourceItem.ts';

/**
 * The rows of a .json file that is not valid UTF-8 as a whole: each top-level element of the array parsed on its own,
 * so an element holding bad bytes is a row with `error` (`invalid UTF-8 at byte N`, N the file offset; `base` is the
 * offset of bytes[0], 3 after a BOM) and its bytes untouched, and the others are read as usual. A file that is not an
 * array cannot be split so: it throws INVALID_INPUT naming the first bad byte.
 */
export function* jsonArrayRowsOfBytes(file: string, bytes: Buffer, base = 0): Generator<RawRow> {
  const elements = jsonArrayElements(bytes);
  if (!elements.length) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new ArboretumError(
      'INVALID_INPUT',
      `${file}:${line}: invalid UTF-8 at byte ${base + at} (and not a JSON array, so no row can be told apart)`,
      { context: { file, line } },
    );
  }
  for (const { line, start, end } of elements) {
    const row = Buffer.from(bytes.subarray(start, end));
    const source = `${file}:${line}`;
    if (!isUtf8(row)) {
      yield { error: `invalid UTF-8 at byte ${base + start + firstInvalidUtf8(row)}`, source, bytes: row };
      continue;
    }
    try {
      yield { value: JSON.parse(row.toString('utf8')), source, bytes: row };
    } catch (e) {
      yield { error: `not JSON: ${messageOf(e)}`, source, bytes: row };
    }
  }
}
