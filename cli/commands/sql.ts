import { formatResult, type ResultFormat } from '../../analytics/formatResult.ts';
import { syncedDb } from '../../pipelines/analyticsSink/syncedDb.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { openLog } from '../openLog.ts';
import { writeOut } from '../output.ts';

const help = `arboretum sql — run SQL over the log through DuckDB

Usage:
  arboretum sql [--log URI] [--db FILE.duckdb] [--format table|csv|json] "SELECT …"

Syncs the log into the database first (FILE, kept between runs and synced incrementally; default an in-memory
database synced from the start), then runs the query. A bad query prints DuckDB's error and exits 1.

Views: trees, nodes, pairs, sft, strategy_diversity, pass_rate, tree_length, critique_effectiveness,
model_contribution, cost, table1 (SQL in analytics/*.sql). Example:
  arboretum sql "SELECT task, dataset, strategies, entropy_bits FROM strategy_diversity"
--log defaults to ${DEFAULT_LOG}.`;

export const command: Command = {
  name: 'sql',
  summary: 'run SQL over the log through DuckDB',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      log: { type: 'string', default: DEFAULT_LOG },
      db: { type: 'string' },
      format: { type: 'string', default: 'table' },
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
    try {
      const { db } = await syncedDb({ log, path: values.db });
      try {
        let result: Awaited<ReturnType<typeof db.query>>;
        try {
          result = await db.query(positionals[0]);
        } catch (e) {
          console.error(`arboretum sql: ${(e as Error).message}`);
          return 1;
        }
        await writeOut(formatResult(result, format));
        return 0;
      } finally {
        db.close();
      }
    } finally {
      await log.close();
    }
  },
};
