import { createViewer } from '../../analytics/viewer/createViewer.ts';
import { syncedDb } from '../analytics/syncedDb.ts';
import { DEFAULT_LOG, intFlag, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openExistingLog } from '../openExistingLog.ts';

const help = `arboretum view — browse trees in a local web viewer

Usage:
  arboretum view [--log URI] [--db FILE.duckdb] [--port N] [--host H]

Syncs the log into the database (FILE, or in memory), then serves the viewer on http://127.0.0.1:N/ (default
port 8787; --port 0 picks a free one): search trees by id, instruction, task and dataset; each tree drawn with its
nodes coloured by verdict; per node its strategy, model, action, observation and critique. /report serves the
HTML report, whose rows link to the trees. Ctrl-C stops.
--log defaults to ${DEFAULT_LOG}.`;

export const command: Command = {
  name: 'view',
  summary: 'browse trees in a local web viewer',
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        log: { type: 'string', default: DEFAULT_LOG },
        db: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
      },
      false,
    );
    const port = intFlag('port', values.port, 8787);
    const log = await openExistingLog(values.log!);
    let db: Awaited<ReturnType<typeof syncedDb>>['db'];
    try {
      const synced = await syncedDb({ log, path: values.db, onDamage: damageLedger.report });
      db = synced.db;
      console.error(`synced ${synced.sync.events} events`);
    } finally {
      await log.close();
    }
    const viewer = await createViewer({ db, port, host: values.host });
    console.log(`viewer on ${viewer.url} (report at ${viewer.url}report); Ctrl-C stops`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await viewer.close();
    db.close();
    return 0;
  },
};
