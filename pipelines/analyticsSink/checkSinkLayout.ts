import type { DuckDBConnection } from '@duckdb/node-api';
import { ArboretumError } from '../../schemas/errors.ts';
import { sinkLayoutVersion } from './sinkLayoutVersion.ts';

/** What checkSinkLayout found: `stale` when the tables must be rebuilt from the log (why says so). */
export type SinkLayoutCheck = { readonly stale: false } | { readonly stale: true; readonly why: string };

/**
 * Reads the database's sink layout (sink_meta) against this arboretum's (sinkLayoutVersion). A database with no
 * rows yet is stamped with it; one written by an older sink is `stale` (the caller rebuilds it and then stamps it,
 * see stampSinkLayout in syncLog); one written by a newer sink is refused, naming the file and both versions.
 */
export async function checkSinkLayout(
  connection: DuckDBConnection,
  sinkTables: readonly string[],
): Promise<SinkLayoutCheck> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowsJS();
  const [[path]] = await rows('SELECT path FROM duckdb_databases() WHERE database_name = current_database()');
  const file = path === null ? 'the in-memory database' : String(path);
  const found = await rows("SELECT value FROM sink_meta WHERE key = 'layout'");
  if (found.length === 0) {
    const [[hasRows]] = await rows(
      `SELECT ${sinkTables.map((t) => `EXISTS (SELECT 1 FROM ${t})`).join(' OR ')}`,
    );
    if (!hasRows) {
      await connection.run(`INSERT INTO sink_meta VALUES ('layout', '${sinkLayoutVersion}')`);
      return { stale: false };
    }
    return {
      stale: true,
      why: `${file} was synced by an older arboretum (no sink layout recorded; this one writes layout ${sinkLayoutVersion})`,
    };
  }
  const version = Number(found[0][0]);
  if (!Number.isInteger(version))
    throw new ArboretumError(
      'INVALID_INPUT',
      `${file}: sink_meta layout is ${JSON.stringify(found[0][0])}, not a version number`,
      { context: { file } },
    );
  if (version > sinkLayoutVersion)
    throw new ArboretumError(
      'INVALID_INPUT',
      `${file} was synced by a newer arboretum (sink layout ${version}; this one knows up to ${sinkLayoutVersion}): use that arboretum, or another --db file`,
      { context: { file } },
    );
  if (version < sinkLayoutVersion)
    return {
      stale: true,
      why: `${file} was synced by an older arboretum (sink layout ${version}; this one writes layout ${sinkLayoutVersion})`,
    };
  return { stale: false };
}
