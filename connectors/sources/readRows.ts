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

/**
 * Streams the rows of a JSONL, JSON (an array, or an object holding one under data/rows/instances) or Parquet file,
 * each with its location: `file:line` for JSON and JSONL, `file:row N` (1-based) for Parquet. A UTF-8 byte order mark
 * is dropped. A JSONL line that does not parse, or is not valid UTF-8 (`invalid UTF-8 at byte N`, N the file
 * offset), is a row with `error` and its bytes untouched, and reading goes on; likewise an element of a JSON array
 * holding invalid UTF-8. A file that cannot be read at all throws.
 */
export async function* readRows(file: string, format: SourceFormat = formatOf(file)): AsyncGenerator<RawRow> {
  if (format === 'jsonl') {
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
      throw new ArboretumError('INVALID_INPUT', `${file}: not JSON: ${messageOf(e)}`, { context: { file } });
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
