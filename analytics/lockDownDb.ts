import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Cuts a DuckDB instance off from everything but its own database, for good: no file, network or extension access
 * (COPY TO/FROM, ATTACH, read_text/read_csv of host files, INSTALL/LOAD, EXPORT DATABASE, secrets), then locks the
 * configuration so no later statement can switch it back (DuckDB, "Securing DuckDB": enable_external_access,
 * lock_configuration). Both settings are global: they hold for every connection of the instance. Call it after the
 * tables and views are set up and synced; DuckDB still spills to its own temp directory.
 */
export async function lockDownDb(connection: DuckDBConnection): Promise<void> {
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
}
