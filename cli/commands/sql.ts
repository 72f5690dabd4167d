import { formatResult, type ResultFormat } from '../../analytics/formatResult.ts';
import { lockDownDb } from '../../analytics/lockDownDb.ts';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import type { QueryResult } from '../../analytics/queryResult.ts';
import { readOnlyQuery } from '../../analytics/readOnlyQuery.ts';
import { ArboretumError, isArboretumError } from '../../schemas/errors.ts';
import { syncedDb } from '../analytics/syncedDb.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openLog } from '../openLog.ts';
import { writeOut } from '../output.ts';

const help = `arboretum sql — run SQL over the log through DuckDB

Usage:
  arboretum sql [--log URI] [--db FILE.duckdb] [--format table|csv|json] [--write] "SELECT …"

Syncs the log into the database first (FILE, kept between runs and synced incrementally; default an in-memory
database synced from the start), then runs the query. A bad or refused query prints DuckDB's error and exits 1.

Read-only by default: the query runs with DuckDB's external access disabled and its configuration locked (no
COPY TO/FROM, ATTACH, read_text/read_csv of files, INSTALL/LOAD, EXPORT DATABASE), in a read-only transaction that
is rolled back (no INSERT, UPDATE, DELETE, CREATE, DROP; BEGIN/COMMIT/ROLLBACK are refused), and FILE is reopened
read-only for it. --write runs the query as it is, with all of DuckDB's powers: it may read and write files and
change the tables of FILE (a later sync does not restore what it deletes; delete FILE and sync again to rebuild).

Views: trees, nodes, pairs, sft, strategy_diversity, action_diversity, tree_action_diversity, pass_rate, tree_length, critique_effectiveness,
model_contribution, cost, table1 (SQL in analytics/*.sql). Example:
  arboretum sql "SELECT task, dataset, strategies, entropy_bits FROM strategy_diversity"
--log defaults to ${DEFAULT_LOG}.`;

/**
 * Runs the query on a synced database (and closes it): as it is with `write`, else read-only and cut off from the
 * host (see help). Resolves with the rows, or with DuckDB's error message when the query fails or is refused.
 */
async function answer(db: AnalyticsDb, write: boolean, sql: string): Promise<QueryResult | string> {
  let reader = db;
  if (!write && db.path !== ':memory:') {
    // The sync needed the file writable; the query gets it read-only (DuckDB enforces it, whatever the statement).
    db.close();
    reader = await openAnalyticsDb({ path: db.path, readOnly: true });
  }
  try {
    if (write) return await reader.query(sql);
    await lockDownDb(reader.connection);
    return await readOnlyQuery(reader, sql);
  } catch (e) {
    if (isArboretumError(e, 'INVALID_INPUT')) return e.message;
    throw e;
  } finally {
    reader.close();
  }
}

export const command: Command = {
  name: 'sql',
  summary: 'run SQL over the log through DuckDB',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      log: { type: 'string', default: DEFAULT_LOG },
      db: { type: 'string' },
      format: { type: 'string', default: 'table' },
      write: { type: 'boolean', default: false },
    });
    const format = values.format as ResultFormat;
    if (!['table', 'csv', 'json'].includes(format))
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format ${JSON.stringify(format)} is not table, csv or json`,
      );
    if (positionals.length !== 1)
      throw new ArboretumError(
        'INVALID_INPUT',
        'give exactly one SQL query, quoted: arboretum sql "SELECT …"',
      );
    const log = await openLog(values.log!);
    let db: AnalyticsDb;
    try {
      ({ db } = await syncedDb({ log, path: values.db, onDamage: damageLedger.report }));
    } finally {
      await log.close();
    }
    const result = await answer(db, values.write!, positionals[0]);
    if (typeof result === 'string') {
      console.error(`arboretum sql: ${result}`);
      return 1;
    }
    await writeOut(formatResult(result, format));
    return 0;
  },
};
