import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { jsonArrayLines } from './jsonArrayLines.ts';
import { jsonArrayRowsOfBytes } from './jsonArrayRowsOfBytes.ts';
import { readLines } from './readLines.ts';
import type { RawRow } from './sourceItem.ts';

export type SourceFormat = 'jsonl' | 'json' | 'parquet';

/** The format of a file from its extension (.jsonl/.ndjson, .json, .parquet); throws INVALID_INPUT otherwise. */
export function formatOf(file: string): SourceFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  if (ext === '.parquet') return 'parquet';
  throw new ArboretumError(
    'INVALID_INPUT',
    `${file}: unknown format ${JSON.stringify(ext)} (expected .jsonl, .ndjson, .json or .parquet)`,
    {
      context: { file },
    },
  );
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The rows of a JSON-lines file, each `file:line`; a line that does not parse is a row with `error`. */
async function* jsonLineRows(file: string): AsyncGenerator<RawRow> {
  for await (const line of readLines(file)) {
    const source = `${file}:${line.line}`;
    if (line.text === undefined) {
      yield { error: line.error, source, bytes: line.bytes };
      continue;
    }
    if (line.text.trim() === '') continue;
    try {
      yield { value: JSON.parse(line.text), source, bytes: line.bytes };
    } catch (e) {
      yield { error: `not JSON: ${messageOf(e)}`, source, bytes: line.bytes };
    }
  }
}

/** True when the first non-blank line of `text` is, alone, a JSON object (so the text is JSON lines). */
function firstLineIsObject(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return false;
  try {
    const v = JSON.parse(first);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Line (1-based) and byte offset of a JSON.parse error that names its `position N` (a UTF-16 index); else null. */
function positionOf(message: string, text: string): { line: number; byteOffset: number } | null {
  const m = /position (\d+)/.exec(message);
  if (!m) return null;
  const before = text.slice(0, Number(m[1]));
  return { line: before.split('\n').length, byteOffset: Buffer.byteLength(before, 'utf8') };
}

/**
 * One meaning of the extensions for every command that reads rows (submit, grow's instructions, import): `.jsonl` and
 * `.ndjson` are JSON lines, `.json` is one JSON document (an array of rows, or an object holding one under
 * data/rows/instances), `.parquet` is Parquet. A `.json` file that is not one document but whose first line is a whole
 * JSON object is read as JSON lines (no valid document is a whole object followed by more, so nothing is guessed); any other `.json` that does not parse
 * throws INVALID_INPUT naming the file, and the line and byte offset where the parser stopped when it says.
 *
 * Streams the rows of a JSONL, JSON (an array, or an object holding one under data/rows/instances) or Parquet file,
 * each with its location: `file:line` for JSON and JSONL, `file:row N` (1-based) for Parquet. A UTF-8 byte order mark
 * is dropped. A JSONL line that does not parse, or is not valid UTF-8 (`invalid UTF-8 at byte N`, N the file
 * offset), is a row with `error` and its bytes untouched, and reading goes on; likewise an element of a JSON array
 * holding invalid UTF-8. A file that cannot be read at all throws.
 */
export async function* readRows(file: string, format: SourceFormat = formatOf(file)): AsyncGenerator<RawRow> {
  if (format === 'jsonl') {
    yield* jsonLineRows(file);
    return;
  }
  if (format === 'json') {
    let bytes = await readFile(file);
    const bom = bytes.subarray(0, 3).equals(BOM) ? 3 : 0;
    bytes = bytes.subarray(bom);
    if (!isUtf8(bytes)) {
      yield* jsonArrayRowsOfBytes(file, bytes, bom);
      return;
    }
    const text = bytes.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      // Not one document: a .json file of JSON lines (its first line one whole object) is read as lines, unambiguous.
      if (firstLineIsObject(text)) {
        yield* jsonLineRows(file);
        return;
      }
      const at = positionOf(messageOf(e), text);
      throw new ArboretumError(
        'INVALID_INPUT',
        `${file}${at ? `:${at.line}` : ''}: not JSON: ${messageOf(e)} (a .json file holds one JSON document: an array of rows or {"data": [...]}; JSON lines go in .jsonl)`,
        { context: { file, ...(at ? { line: at.line, byteOffset: bom + at.byteOffset } : {}) } },
      );
    }
    let rows: unknown[] | undefined;
    if (Array.isArray(parsed)) rows = parsed;
    else if (parsed && typeof parsed === 'object') {
      const holder = parsed as Record<string, unknown>;
      rows = [holder.data, holder.rows, holder.instances].find(Array.isArray) as unknown[] | undefined;
    }
    if (!rows) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `${file}: expected a JSON array of rows (or {"data": [...]})`,
        {
          context: { file },
        },
      );
    }
    const lines = Array.isArray(parsed) ? jsonArrayLines(bytes) : [];
    for (let i = 0; i < rows.length; i++) {
      const where = lines[i] !== undefined ? `${file}:${lines[i]}` : `${file}:[${i}]`;
      yield { value: rows[i], source: where, bytes: Buffer.from(JSON.stringify(rows[i]) ?? 'null', 'utf8') };
    }
    return;
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let result: Awaited<ReturnType<typeof connection.stream>>;
    try {
      result = await connection.stream(`SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
    } catch (e) {
      throw new ArboretumError('INVALID_INPUT', `${file}: cannot read as Parquet: ${messageOf(e)}`, {
        context: { file },
      });
    }
    let n = 0;
    for await (const chunk of result.yieldRowObjectJson()) {
      for (const row of chunk) {
        n++;
        yield { value: row, source: `${file}:row ${n}`, bytes: Buffer.from(JSON.stringify(row), 'utf8') };
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
