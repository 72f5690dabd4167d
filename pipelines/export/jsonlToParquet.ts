import { rename, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;

export interface JsonlToParquetOptions {
  /** DuckDB memory limit; default '384MB' (with Node's own heap, a Parquet export stays under 1 GiB). */
  readonly memoryLimit?: string;
  /** DuckDB threads; default 2. */
  readonly threads?: number;
  /** Where DuckDB may spill; default beside the output. */
  readonly tempDir?: string;
  /** Rows per Parquet row group; default 4096 (rows of long texts: a group is what the writer holds). */
  readonly rowGroupSize?: number;
}

/**
 * Converts a JSONL file to Parquet through DuckDB, keeping the line order, with the columns of `structure` (a
 * DuckDB from_json structure, JSON text). Written through a temporary file renamed at the end.
 */
export async function jsonlToParquet(
  jsonl: string,
  parquet: string,
  structure: string,
  options: JsonlToParquetOptions = {},
): Promise<void> {
  const {
    memoryLimit = '384MB',
    threads = 2,
    tempDir = `${parquet}.spill-${process.pid}`,
    rowGroupSize = 4096,
  } = options;
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    threads: String(threads),
    preserve_insertion_order: 'true',
    temp_directory: tempDir,
  });
  const connection = await instance.connect();
  const tmp = `${parquet}.tmp-${process.pid}`;
  try {
    await connection.run(
      `COPY (SELECT s.* FROM (SELECT from_json(json, ${quote(structure)}) AS s FROM read_ndjson_objects(${quote(jsonl)}))) TO ${quote(tmp)} (FORMAT parquet, ROW_GROUP_SIZE ${rowGroupSize})`,
    );
    await rename(tmp, parquet);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(tempDir, { recursive: true, force: true });
  }
}
