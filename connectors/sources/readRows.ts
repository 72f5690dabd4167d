import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { ArboretumError, messageOf } from '../../schemas/errors.ts';
import { jsonArrayLines } from './jsonArrayLines.ts';
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

/**
 * Streams the rows of a JSONL, JSON (an array, or an object holding one under data/rows/instances) or Parquet file,
 * each with its location: `file:line` for JSON and JSONL, `file:row N` (1-based) for Parquet. A JSONL line that does
 * not parse is a row with `error`, and reading goes on; a file that cannot be read at all throws.
 */
export async function* readRows(file: string, format: SourceFormat = formatOf(file)): AsyncGenerator<RawRow> {
  if (format === 'jsonl') {
    const lines = createInterface({
      input: createReadStream(file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const bytes = Buffer.from(line, 'utf8');
      try {
        yield { value: JSON.parse(line), source: `${file}:${n}`, bytes };
      } catch (e) {
        yield { error: `not JSON: ${messageOf(e)}`, source: `${file}:${n}`, bytes };
      }
    }
    return;
  }
  if (format === 'json') {
    const text = await readFile(file, 'utf8');
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
    const lines = Array.isArray(parsed) ? jsonArrayLines(text) : [];
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
