import type { AnalyticsDb } from '../openAnalyticsDb.ts';
import type { QueryResult } from '../queryResult.ts';
import { chartLibraries } from './chartLibraries.ts';
import { escapeHtml } from './escapeHtml.ts';
import type { ModelPrice } from './pricesOf.ts';
import { type ReportData, reportData } from './reportData.ts';

export interface BuildReportOptions {
  readonly db: AnalyticsDb;
  readonly title?: string;
  /**
   * Where the report's rows link to: the tree viewer's address (`arboretum view`), e.g. 'http://127.0.0.1:8787/';
   * default '' (links relative to the page, as when the viewer serves the report at /report).
   */
  readonly viewerUrl?: string;
  /** USD per million tokens by model, for the dollar cost; models without a price are named as such. */
  readonly prices?: ReadonlyMap<string, ModelPrice>;
  /** The log the report is of, for the command that starts the viewer on it; default file:.arboretum/log. */
  readonly logUri?: string;
}

const iso = (ms: unknown) =>
  typeof ms === 'number' || typeof ms === 'bigint'
    ? new Date(Number(ms)).toISOString().replace('.000Z', 'Z')
    : '—';
const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;

/** The cost table with a USD column from `prices`, the total, and the models that had none. */
function costWithDollars(cost: QueryResult, prices: ReadonlyMap<string, ModelPrice> | undefined) {
  const rows = rowsOf(cost);
  let total = 0;
  const unpriced = new Set<string>();
  const withUsd = rows.map((r) => {
    const price = prices?.get(String(r.model));
    if (!price) {
      unpriced.add(String(r.model));
      return [...cost.columns.map((c) => r[c]), '—'];
    }
    const dollars =
      (Number(r.prompt_tokens) * price.promptPerMTok +
        Number(r.completion_tokens) * price.completionPerMTok) /
      1e6;
    total += dollars;
    return [...cost.columns.map((c) => r[c]), usd(dollars)];
  });
  return {
    table: { columns: [...cost.columns, 'usd'], rows: withUsd },
    total,
    unpriced: [...unpriced].sort(),
  };
}

const rowsOf = (r: QueryResult) =>
  r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));

/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replaceAll('<', '\\u003c');

function table(
  r: QueryResult,
  link?: (row: Record<string, unknown>) => string | null,
  totals?: boolean,
): string {
  const objects = rowsOf(r);
  const head = `<tr>${r.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = objects
    .map((o) => {
      const href = link?.(o);
      return `<tr>${r.columns
        .map((c, i) => {
          const v = o[c];
          const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v ?? '');
          const inner =
            i === 0 && href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
          return `<td class="${typeof v === 'number' ? 'num' : ''}">${inner}</td>`;
        })
        .join('')}</tr>`;
    })
    .join('\n');
  let foot = '';
  if (totals && objects.length) {
    foot = `<tfoot><tr>${r.columns
      .map((c, i) =>
        i === 0
          ? '<td>total</td>'
          : typeof objects[0][c] === 'number'
            ? `<td class="num">${objects.reduce((s, o) => s + Number(o[c] ?? 0), 0)}</td>`
            : '<td></td>',
      )
      .join('')}</tr></tfoot>`;
  }
  return `<table><thead>${head}</thead><tbody>${body}</tbody>${foot}</table>`;
}

function charts(d: ReportData) {
  return {
    strategy: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Strategy share per task / dataset',
      data: { values: rowsOf(d.strategyShares) },
      mark: 'bar',
      width: 420,
      encoding: {
        y: { field: 'group', type: 'nominal', title: null },
        x: { field: 'share', type: 'quantitative', stack: 'normalize', title: 'share of sampled actions' },
        color: { field: 'strategy', type: 'nominal' },
        tooltip: [{ field: 'group' }, { field: 'strategy' }, { field: 'share', format: '.1%' }],
      },
    },
    // Beside the labels' entropy, how different the actions' texts are: 0 to 1 each, higher = more diverse but for
    // near-duplicate siblings (lower = fewer copies).
    actionDiversity: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Action text diversity per task / dataset',
      data: {
        values: rowsOf(d.actionDiversity).map((r) => ({ ...r, group: `${r.task} / ${r.dataset}` })),
      },
      transform: [
        { fold: ['distinct_3', 'mean_jaccard_distance', 'near_duplicate_share'], as: ['measure', 'value'] },
      ],
      mark: 'bar',
      width: 420,
      encoding: {
        y: { field: 'group', type: 'nominal', title: null },
        yOffset: { field: 'measure', type: 'nominal' },
        x: { field: 'value', type: 'quantitative', title: '0 to 1', scale: { domain: [0, 1] } },
        color: { field: 'measure', type: 'nominal' },
        tooltip: [{ field: 'group' }, { field: 'measure' }, { field: 'value', format: '.3f' }],
      },
    },
    entropy: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Strategy entropy (bits) per task / dataset',
      data: { values: rowsOf(d.strategyDiversity).map((r) => ({ ...r, group: `${r.task} / ${r.dataset}` })) },
      width: 420,
      layer: [
        {
          mark: 'bar',
          encoding: {
            y: { field: 'group', type: 'nominal', title: null },
            x: { field: 'entropy_bits', type: 'quantitative', title: 'entropy (bits)' },
          },
        },
        {
          mark: { type: 'tick', color: 'black' },
          encoding: {
            y: { field: 'group', type: 'nominal' },
            x: { field: 'max_entropy_bits', type: 'quantitative' },
          },
        },
      ],
    },
    passRate: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Pass rate by turn and strategy',
      data: { values: rowsOf(d.passRateByTurn) },
      mark: { type: 'line', point: true },
      width: 420,
      encoding: {
        x: { field: 'turn', type: 'ordinal' },
        y: { field: 'pass_rate', type: 'quantitative', axis: { format: '%' }, title: 'correct / judged' },
        color: { field: 'strategy', type: 'nominal' },
        tooltip: [
          { field: 'turn' },
          { field: 'strategy' },
          { field: 'judged' },
          { field: 'pass_rate', format: '.1%' },
        ],
      },
    },
    treeLength: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Trajectory lengths (trees by number of turns)',
      data: { values: rowsOf(d.treeLength) },
      mark: 'bar',
      width: 420,
      encoding: {
        x: { field: 'length', type: 'ordinal', sort: null, title: null },
        y: { field: 'trees', type: 'quantitative' },
        tooltip: [{ field: 'length' }, { field: 'trees' }, { field: 'share', format: '.1%' }],
      },
    },
  };
}

/**
 * One self-contained HTML page (vega, vega-lite and vega-embed inlined; nothing loaded from the network) with the
 * paper's Table 1 per task and dataset, charts of strategy diversity, pass rate by turn and tree lengths, and the
 * critique, model and cost tables (dollars with `prices`), the run (log span, writers, models, tree configs) and
 * sample pairs. Table-1 rows, example trees and pairs link to the viewer; a note says how to start it.
 */
export async function buildReport(options: BuildReportOptions): Promise<string> {
  const { db, title = 'arboretum report', viewerUrl = '', prices, logUri = 'file:.arboretum/log' } = options;
  const d = await reportData(db);
  const run = rowsOf(d.run)[0] ?? {};
  const configs = rowsOf(d.configs).map((c) => {
    const config = JSON.parse(String(c.config_json ?? '{}'));
    return [
      config.maxTurns,
      (config.actorModels ?? []).join(', '),
      config.criticModel ?? '—',
      String(config.expandAfterPair),
      Object.entries(config.params ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      // Opened before strategy libraries: grown with the paper's pair by round-robin.
      config.strategies
        ? `${config.strategies.policy}: ${config.strategies.library.map((s: { name: string }) => s.name).join(', ')}`
        : 'round-robin: chain-of-thought, modular-programming (before libraries)',
      c.trees,
    ];
  });
  const cost = costWithDollars(d.cost, prices);
  const pairLink = (o: Record<string, unknown>) => `${viewerUrl}#pair=${encodeURIComponent(String(o.id))}`;
  // A file report links to a viewer that must be running; say how to start it.
  const viewerNote = viewerUrl
    ? `<p class="note" id="viewer-note">Tree and pair links open the viewer at <code>${escapeHtml(viewerUrl)}</code>, which must be running: <code>arboretum view --log ${escapeHtml(logUri)} --port ${escapeHtml(new URL(viewerUrl, 'http://x/').port || '8787')}</code> (it also serves this report at <code>/report</code>, linked to itself).</p>`
    : '';
  const search = (o: Record<string, unknown>) =>
    `${viewerUrl}#task=${encodeURIComponent(String(o.task))}&dataset=${encodeURIComponent(String(o.dataset))}`;
  const tree = (o: Record<string, unknown>) => `${viewerUrl}#tree=${encodeURIComponent(String(o.tree_id))}`;
  const specs = charts(d);
  const t = d.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}tfoot td{font-weight:600;border-top:2px solid #999}
.totals span{display:inline-block;margin-right:18px}.totals b{font-size:18px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.note{background:#fff8e1;border-left:4px solid #e6a800;padding:6px 10px}
td{max-width:520px;overflow-wrap:anywhere;vertical-align:top}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="totals">${Object.entries(t)
    .map(([k, v]) => `<span><b>${v}</b> ${escapeHtml(k.replaceAll('_', ' '))}</span>`)
    .join('')}</p>
<h2>Run</h2>
<table class="run"><tbody>
<tr><th>log</th><td>${escapeHtml(logUri)}</td></tr>
<tr><th>events from</th><td>${iso(run.first_ms)} to ${iso(run.last_ms)} (UTC, the writers' clocks)</td></tr>
<tr><th>writers</th><td>${escapeHtml(String(run.writers ?? '—'))}</td></tr>
<tr><th>models</th><td>${escapeHtml(
    [...new Set(rowsOf(d.cost).map((r) => `${r.model} (${r.role})`))].join(', ') || '—',
  )}</td></tr>
<tr><th>cost</th><td id="total-usd">${prices ? `${usd(cost.total)}${cost.unpriced.length ? ` (no price for ${escapeHtml(cost.unpriced.join(', '))})` : ''}` : 'no prices given (report --prices grow.yaml)'}</td></tr>
</tbody></table>
<h3>Tree configs (as TreeOpened recorded them)</h3>
${table({ columns: ['max_turns', 'actor_models', 'critic_model', 'expand_after_pair', 'params', 'strategies', 'trees'], rows: configs })}
${viewerNote}
<h2>Table 1: instructions, pairs, correct answers and trajectories by length</h2>
${table(d.table1, search, true)}
<h2>Charts</h2>
<div class="charts"><div id="chart-strategy"></div><div id="chart-entropy"></div><div id="chart-action-diversity"></div><div id="chart-pass-rate"></div><div id="chart-tree-length"></div></div>
<h2>Strategy diversity</h2>
${table(d.strategyDiversity, search)}
<h2>Action diversity (in the text: distinct 3-grams, sibling Jaccard distance, near-duplicate siblings)</h2>
${table(d.actionDiversity, search)}
<h2>Critique effectiveness: P(correct at t+1 | critiqued at t)</h2>
${table(d.critiqueEffectiveness)}
<h2>Model contribution</h2>
${table(d.modelContribution)}
<h2>Cost: tokens and dollars by model and role</h2>
${table(cost.table)}
<h2>Labels: grader versions (arboretum regrade)</h2>
${table(d.labels)}
<h2>Sample pairs</h2>
${table(d.samplePairs, pairLink)}
<h2>Pass rate by turn, strategy and model</h2>
${table(d.passRate)}
<h2>Longest trees per task and dataset</h2>
${table({ columns: ['instruction_id', 'task', 'dataset', 'turns', 'actions', 'outcome', 'tree_id'], rows: rowsOf(d.exampleTrees).map((o) => [o.instruction_id, o.task, o.dataset, o.turns, o.actions, o.outcome, o.tree_id]) }, tree)}
${await chartLibraries()}
<script id="specs" type="application/json">${scriptJson(specs)}</script>
<script>
const specs = JSON.parse(document.getElementById('specs').textContent);
const opts = { actions: false, renderer: 'svg' };
window.chartsReady = Promise.all([
  vegaEmbed('#chart-strategy', specs.strategy, opts),
  vegaEmbed('#chart-entropy', specs.entropy, opts),
  vegaEmbed('#chart-action-diversity', specs.actionDiversity, opts),
  vegaEmbed('#chart-pass-rate', specs.passRate, opts),
  vegaEmbed('#chart-tree-length', specs.treeLength, opts),
]).then(() => document.body.dataset.charts = 'ready', (e) => { document.body.dataset.charts = 'error: ' + e.message; });
</script>
</body></html>
`;
}
