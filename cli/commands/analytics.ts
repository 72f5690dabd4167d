import { openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openLog } from '../openLog.ts';

const help = `arboretum analytics — the log in DuckDB

Usage:
  arboretum analytics sync --db FILE.duckdb [--log URI] [--follow]
      Appends the tree events not yet synced into FILE's tables (one row per distinct event id; the pairs and SFT
      rows pipelines/assemble decides), from the position the last sync stored: running it twice adds nothing twice.
      --follow keeps syncing as events arrive (Ctrl-C stops after storing what it has).

Views (analytics/*.sql): trees, nodes, pairs, sft, strategy_diversity, action_diversity, tree_action_diversity, pass_rate, tree_length,
critique_effectiveness, model_contribution, cost, table1. Query them with arboretum sql --db FILE "SELECT …".
--log defaults to ${DEFAULT_LOG}.`;

export const command: Command = {
  name: 'analytics',
  summary: 'sync the log into DuckDB tables (analytics sync)',
  help,
  subcommands: true,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'sync') {
      throw new ArboretumError(
        'INVALID_INPUT',
        `unknown subcommand ${JSON.stringify(sub ?? '')}; try: analytics sync --help`,
      );
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(help);
      return 0;
    }
    const { values } = parseFlags(
      rest,
      {
        log: { type: 'string', default: DEFAULT_LOG },
        db: { type: 'string' },
        follow: { type: 'boolean', default: false },
      },
      false,
    );
    if (!values.db) throw new ArboretumError('INVALID_INPUT', '--db FILE.duckdb is required');
    const log = await openLog(values.log!);
    const db = await openAnalyticsDb({ path: values.db });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const start = performance.now();
    try {
      const s = await syncLog({
        log,
        connection: db.connection,
        follow: values.follow,
        signal: stop.signal,
        onDamage: damageLedger.report,
        onRebuild: (why) => process.stderr.write(`arboretum analytics sync: ${why}\n`),
        onBatch: values.follow
          ? (p) => process.stderr.write(`\r${p.events} events synced (${p.duplicates} duplicates)`)
          : undefined,
      });
      const seconds = (performance.now() - start) / 1000;
      if (values.follow) process.stderr.write('\n');
      console.log(
        `synced ${s.events} events (${s.duplicates} duplicates dropped), ${s.pairs} pairs, ${s.sft} SFT rows in ${seconds.toFixed(2)} s; next offsets ${[...s.positions].map(([p, o]) => `${p}:${o}`).join(' ') || 'none'}`,
      );
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      db.close();
      await log.close();
    }
  },
};
