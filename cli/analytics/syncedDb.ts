import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import type { EventLog, LogDamage } from '../../connectors/log/eventLog.ts';
import { type SyncSummary, syncLog } from '../../pipelines/analyticsSink/syncLog.ts';

/**
 * Opens an analytics database (a DuckDB file, default in memory) and brings it up to date with the log: what
 * `arboretum sql`, `report` and `view` start with. A file an older arboretum synced is rebuilt from the log, which
 * it says on stderr. The caller closes the database.
 */
export async function syncedDb(options: {
  readonly log: EventLog;
  /** DuckDB file; default ':memory:' (synced from the start of the log). */
  readonly path?: string;
  /** Damaged regions this sync, or an earlier one of this database, read past (see SyncLogOptions.onDamage). */
  readonly onDamage?: (damage: LogDamage) => void;
}): Promise<{ db: AnalyticsDb; sync: SyncSummary }> {
  const db = await openAnalyticsDb({ path: options.path });
  try {
    const sync = await syncLog({
      log: options.log,
      connection: db.connection,
      onDamage: options.onDamage,
      onRebuild: (why) => process.stderr.write(`arboretum: ${why}\n`),
    });
    return { db, sync };
  } catch (e) {
    db.close();
    throw e;
  }
}
