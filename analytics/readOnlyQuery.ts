import { StatementType } from '@duckdb/node-api';
import { ArboretumError, messageOf } from '../schemas/errors.ts';
import type { AnalyticsDb } from './openAnalyticsDb.ts';
import type { QueryResult } from './queryResult.ts';
import { queryResultOf } from './queryResultOf.ts';

/**
 * Runs one or more statements (the last one's rows are returned) inside a DuckDB read-only transaction that is rolled
 * back afterwards, so they cannot change a table or view: DuckDB refuses every write with its own error. A
 * transaction statement (BEGIN, COMMIT, ROLLBACK) would end that transaction and let the statements after it write,
 * so it is refused before it runs. Errors are INVALID_INPUT with DuckDB's message. Pair it with lockDownDb (no file
 * access) and, for a file, a read-only open.
 */
export async function readOnlyQuery(db: AnalyticsDb, sql: string): Promise<QueryResult> {
  const { connection } = db;
  await connection.run('BEGIN TRANSACTION READ ONLY');
  try {
    const statements = await connection.extractStatements(sql);
    let result: QueryResult = { columns: [], rows: [] };
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      if (prepared.statementType === StatementType.TRANSACTION) {
        throw new ArboretumError(
          'INVALID_INPUT',
          `statement ${i + 1} is a transaction statement (BEGIN/COMMIT/ROLLBACK): refused, the query runs in a ` +
            'read-only transaction (use --write to run it as it is)',
        );
      }
      result = queryResultOf(await prepared.runAndReadAll());
    }
    return result;
  } catch (e) {
    if (e instanceof ArboretumError) throw e;
    throw new ArboretumError('INVALID_INPUT', messageOf(e), { cause: e });
  } finally {
    await connection.run('ROLLBACK');
  }
}
