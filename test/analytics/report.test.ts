import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { buildReport } from '../../analytics/report/buildReport.ts';
import { pricesOf } from '../../analytics/report/pricesOf.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { appendEvents, smallTrees, tempLog } from './fixtures.ts';

let db: AnalyticsDb;
beforeAll(async () => {
  const env = await tempLog();
  const t = smallTrees();
  await appendEvents(env.log, [...t.math, ...t.code, ...t.logic]);
  db = await openAnalyticsDb();
  await syncLog({ log: env.log, connection: db.connection });
  await env.dispose();
});
afterAll(() => db?.close());

describe('report', () => {
  it('carries the run (span, writers, models, configs), the dollar cost, sample pairs, and how to open the viewer', async () => {
    const prices = pricesOf(
      'endpoints:\n  - name: a\n    prices:\n      gpt-4: { promptPerMTok: 10, completionPerMTok: 30 }\n',
      'grow.yaml',
    );
    const html = await buildReport({
      db,
      viewerUrl: 'http://127.0.0.1:9999/',
      prices,
      logUri: 'file:/data/log',
    });
    // treeScript's clock starts at 1_700_000_000_000 ms.
    expect(html).toContain('2023-11-14T22:13:20Z to 2023-11-14T22:13:20.014Z');
    expect(html).toContain('<td>test</td>');
    expect(html).toContain('gpt-4 (strong)');
    expect(html).toContain('critic (critic)');
    // Independently: gpt-4's tokens by the same price (treeScript: 10 prompt + 20 completion per action).
    const { rows } = await db.query(
      "SELECT sum(prompt_tokens), sum(completion_tokens) FROM nodes WHERE model = 'gpt-4'",
    );
    const dollars = (Number(rows[0][0]) * 10 + Number(rows[0][1]) * 30) / 1e6;
    expect(html).toContain(`<td id="total-usd">$${dollars.toFixed(4)} (no price for critic, llama)</td>`);
    expect(html).toContain(
      '<td class="num">5</td><td class="">strong, weak</td><td class="">critic</td><td class="">true</td><td class=""></td><td class="">round-robin: chain-of-thought, modular-programming (before libraries)</td><td class="num">3</td>',
    );
    expect(html).toContain('Sample pairs');
    // Action diversity: its table (a row per task and dataset, as the view) and its chart.
    const diversity = (await db.query('SELECT task, dataset FROM action_diversity')).rows;
    expect(diversity.length).toBe(3);
    const section = html.slice(html.indexOf('<h2>Action diversity'), html.indexOf('<h2>Critique'));
    for (const [task, dataset] of diversity)
      expect(section).toContain(`>${task}</a></td><td class="">${dataset}</td>`);
    expect(html).toContain("vegaEmbed('#chart-action-diversity', specs.actionDiversity, opts)");
    expect(html).toContain('"title":"Action text diversity per task / dataset"');
    expect(html).toContain('#pair=');
    expect(html).toContain('Step 2: 4');
    expect(html).toContain(
      'which must be running: <code>arboretum view --log file:/data/log --port 9999</code>',
    );
    // Served by the viewer itself (viewerUrl ''), the links just work: no note.
    const served = await buildReport({ db });
    expect(served.includes('viewer-note')).toBe(false);
    expect(served.includes('no prices given (report --prices grow.yaml)')).toBe(true);
  });

  it('reads prices from a plain mapping and names a bad entry', () => {
    expect(pricesOf('{"m": {"promptPerMTok": 1, "completionPerMTok": 2}}', 'p.json').get('m')).toEqual({
      promptPerMTok: 1,
      completionPerMTok: 2,
    });
    expect(() => pricesOf('m: { promptPerMTok: 1 }', 'p.yaml')).toThrow(
      'p.yaml: price of "m" needs promptPerMTok and completionPerMTok (USD)',
    );
  });
});
