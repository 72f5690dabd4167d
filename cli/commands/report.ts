import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildReport } from '../../analytics/report/buildReport.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { syncedDb } from '../analytics/syncedDb.ts';
import { DEFAULT_LOG, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { damageLedger } from '../damageLedger.ts';
import { openExistingLog } from '../openExistingLog.ts';
import { readPrices } from '../readPrices.ts';

const help = `arboretum report — one self-contained HTML report of the log

Usage:
  arboretum report --out report.html [--log URI] [--db FILE.duckdb] [--viewer URL] [--title T] [--prices FILE]

Syncs the log into the database (FILE, or in memory), then writes the paper's Table 1 per task and dataset
(instructions, pairs, correct answers, T1..T5), charts of strategy diversity, pass rate by turn and tree lengths,
and critique effectiveness, model contribution and cost. Charts are drawn by Vega-Lite, inlined: the file needs
no network. It opens with the run: the log's time span, writers, models, the tree configs on the log and the cost
in tokens, and in dollars with --prices (a grow config, whose endpoints' prices are read, or a YAML/JSON mapping
model: {promptPerMTok, completionPerMTok}); it shows sample pairs. Rows link to the tree viewer at --viewer
(default http://127.0.0.1:8787/), which must be running (arboretum view); the report says so.
--log defaults to ${DEFAULT_LOG}.

Example:
  arboretum report --out out/report.html --prices examples/grow.yaml && arboretum view --port 8787`;

export const command: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report of the log',
  help,
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        log: { type: 'string', default: DEFAULT_LOG },
        db: { type: 'string' },
        out: { type: 'string' },
        viewer: { type: 'string', default: 'http://127.0.0.1:8787/' },
        title: { type: 'string', default: 'arboretum report' },
        prices: { type: 'string' },
      },
      false,
    );
    if (!values.out) throw new ArboretumError('INVALID_INPUT', '--out report.html is required');
    const prices = values.prices === undefined ? undefined : await readPrices(values.prices);
    const log = await openExistingLog(values.log!);
    try {
      const { db, sync } = await syncedDb({ log, path: values.db, onDamage: damageLedger.report });
      try {
        const damaged = damageLedger.summary();
        const built = await buildReport({
          db,
          title: values.title,
          viewerUrl: values.viewer,
          prices,
          logUri: values.log,
        });
        // A report built past damage (--allow-damaged) says so at its end.
        const html = damaged
          ? built.replace(
              '</body>',
              `<p class="damaged"><strong>Damaged log.</strong> ${escapeHtml(damaged)}</p></body>`,
            )
          : built;
        await mkdir(dirname(values.out) || '.', { recursive: true });
        const tmp = `${values.out}.tmp-${process.pid}`;
        await writeFile(tmp, html);
        await rename(tmp, values.out);
        console.log(
          `report of ${sync.positions.size ? [...sync.positions.values()].reduce((a, b) => a + b, 0) : 0} events written to ${values.out} (${Math.round(html.length / 1024)} KiB)`,
        );
        return 0;
      } finally {
        db.close();
      }
    } finally {
      await log.close();
    }
  },
};

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
