import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ArboretumError, messageOf } from '../schemas/errors.ts';
import type { QueryResult } from './queryResult.ts';
import { queryResultOf } from './queryResultOf.ts';
import { viewFiles } from './viewFiles.ts';

const here = import.meta.dirname;

/** An analytics database: the sink's tables and the views of analytics/*.sql on one DuckDB connection. */
export interface AnalyticsDb {
  /** The DuckDB file, or ':memory:'. */
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Runs one or more statements; the last one's rows. DuckDB's error becomes INVALID_INPUT with its message. */
  query(sql: string, params?: Record<string, string | number | boolean | null>): Promise<QueryResult>;
  close(): void;
}

export interface OpenAnalyticsDbOptions {
  /** DuckDB file; default ':memory:'. */
  readonly path?: string;
  /** DuckDB threads; default 2. */
  readonly threads?: number;
  /** DuckDB memory limit; default '1GB'. */
  readonly memoryLimit?: string;
  /** Open read-only (several readers may share the file; no sync possible); default false. */
  readonly readOnly?: boolean;
}

/** Opens (creating when missing) an analytics DuckDB file with its tables and views. */
export async function openAnalyticsDb(options: OpenAnalyticsDbOptions = {}): Promise<AnalyticsDb> {
  const { path = ':memory:', threads = 2, memoryLimit = '1GB', readOnly = false } = options;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, {
      threads: String(threads),
      memory_limit: memoryLimit,
      ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
    });
  } catch (e) {
    throw new ArboretumError('INVALID_INPUT', `cannot open DuckDB file ${path}: ${messageOf(e)}`, {
      context: { file: path },
      cause: e,
    });
  }
  const connection = await instance.connect();
  if (!readOnly) {
    // The sink appends in large batches: checkpointing every 16 MB of WAL (the default) rewrote the tables over and
    // over (sync twice as slow); checkpoint per GB of WAL and on close instead.
    await connection.run("SET wal_autocheckpoint = '1GB'");
    // The event tables (generated from the schemas by scripts/genSinkTables.ts), then the sink's other tables.
    for (const file of ['sinkTables.sql', 'schema.sql'])
      await connection.run(await readFile(join(here, file), 'utf8'));
    for (const file of viewFiles) {
      const sql = await readFile(join(here, file), 'utf8');
      try {
        await connection.run(sql);
      } catch (e) {
        throw new ArboretumError('INVALID_CONFIG', `analytics/${file}: ${messageOf(e)}`, {
          context: { file: join(here, file) },
          cause: e,
        });
      }
    }
  }
  return {
    path,
    connection,
    async query(sql, params) {
      try {
        return queryResultOf(await connection.runAndReadAll(sql, params));
      } catch (e) {
        throw new ArboretumError('INVALID_INPUT', messageOf(e), { cause: e });
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
