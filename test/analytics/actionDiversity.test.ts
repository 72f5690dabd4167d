import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { syncLog } from '../../pipelines/analyticsSink/syncLog.ts';
import { textFeaturesOf } from '../../pipelines/features/textFeaturesOf.ts';
import { treeScript } from '../assemble/treeScript.ts';
import { appendEvents, smallTrees, tempLog } from './fixtures.ts';

// Actions written to be near-duplicates: the same reasoning, re-cased and re-punctuated, or with one word changed.
const base =
  'Step 1: Let x be the number of apples Tom had at the start. Step 2: Tom gives away 3 apples, so he keeps ' +
  'x - 3 of them. Step 3: He has 7 apples left, so x - 3 = 7 and x = 10. The answer is \\boxed{10}.';
const near = [base, base.toUpperCase().replaceAll('.', ' ;'), base.replace('gives away', 'hands over')];
// Actions written to differ: three ways of reasoning about the same problem.
const differ = [
  'Work backwards from the end: after the gift Tom holds 7, and the gift was 3, so before it he held 7 plus 3, ' +
    'that is \\boxed{10}.',
  '```python\nleft, given = 7, 3\nprint(left + given)\n```',
  'Case analysis. If Tom had fewer than three apples, no gift of three was possible; otherwise the count after the ' +
    'gift is the start minus three, and only a start of ten leaves seven. \\boxed{10}',
];

const setOf = (t: string) => new Set(textFeaturesOf(t).shingles);
const jaccard = (a: string, b: string) => {
  const x = setOf(a);
  const y = setOf(b);
  const both = [...x].filter((g) => y.has(g)).length;
  return both / (x.size + y.size - both);
};
const meanDistance = (pairs: [string, string][]) =>
  pairs.reduce((s, [a, b]) => s + 1 - jaccard(a, b), 0) / pairs.length;
const pairsOf = (texts: string[]) =>
  texts.flatMap((a, i) => texts.slice(i + 1).map((b): [string, string] => [a, b]));

let env: Awaited<ReturnType<typeof tempLog>>;
let db: AnalyticsDb;
beforeAll(async () => {
  env = await tempLog();
  db = await openAnalyticsDb();
});
afterAll(async () => {
  db.close();
  await env.dispose();
});

describe('text features', () => {
  it('ignore case, spacing and punctuation; count steps, code and n-grams', () => {
    const f = textFeaturesOf(base);
    expect(f.steps).toBe(3);
    expect(f.hasCode).toBe(false);
    expect(f.chars).toBe(base.length);
    expect(textFeaturesOf(near[1]).shingles).toEqual(f.shingles);
    expect(textFeaturesOf(differ[1])).toMatchObject({ hasCode: true, steps: 0 });
    // The one changed word touches 3 of the 3-grams of each side (two words replace two: 4 and 4).
    expect(jaccard(base, near[2])).toBeGreaterThan(0.8);
    for (const [a, b] of pairsOf(differ)) expect(jaccard(a, b)).toBeLessThan(0.1);
    expect(textFeaturesOf('')).toMatchObject({ ngrams: 0, shingles: [] });
  });
});

describe('action_diversity', () => {
  it('counts near-duplicate siblings, and only siblings, from the features the sink stores', async () => {
    // Turn 2 of the near tree repeats the turn-1 text under another parent: a duplicate, but not of a sibling.
    const nearTree = treeScript('near-1', { task: 'Math_CoT', dataset: 'near' }).open();
    for (const [i, action] of near.entries()) nearTree.action(`n${i}`, { correct: i === 0, action });
    nearTree
      .critique('n1')
      .action('m0', { parent: 'n1', turn: 2, correct: true, action: base })
      .action('m1', { parent: 'n1', turn: 2, correct: false, action: differ[0] })
      .close('solved');
    const differTree = treeScript('differ-1', { task: 'Math_CoT', dataset: 'differ' }).open();
    for (const [i, action] of differ.entries()) differTree.action(`d${i}`, { correct: i === 0, action });
    differTree.close('solved');
    await appendEvents(env.log, nearTree.events);
    await syncLog({ log: env.log, connection: db.connection });
    await appendEvents(env.log, differTree.events);
    await syncLog({ log: env.log, connection: db.connection });

    // Every action has its features once, the second sync adding only the new tree's.
    const [[features, actions]] = (
      await db.query(
        'SELECT (SELECT count(*) FROM action_features), (SELECT count(DISTINCT (tree_id, node_id)) FROM action_features)',
      )
    ).rows;
    expect([features, actions]).toEqual([8, 8]);

    const rows = (
      await db.query(
        `SELECT dataset, trees, actions, distinct_3, sibling_pairs, mean_jaccard_distance, near_duplicate_share, code_share
         FROM action_diversity ORDER BY dataset`,
      )
    ).rows;
    const nearTexts = [...near, base, differ[0]];
    const distinct = (texts: string[]) =>
      new Set(texts.flatMap((t) => textFeaturesOf(t).shingles)).size /
      texts.reduce((s, t) => s + textFeaturesOf(t).ngrams, 0);
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    expect(rows).toEqual([
      ['differ', 1, 3, r4(distinct(differ)), 3, r4(meanDistance(pairsOf(differ))), 0, r4(1 / 3)],
      [
        'near',
        1,
        5,
        r4(distinct(nearTexts)),
        4,
        r4(meanDistance([...pairsOf(near), [base, differ[0]]])),
        // n0, n1, n2 are near-duplicates of each other; m0 (a copy of n0 in another turn) and m1 are not.
        r4(3 / 5),
        0,
      ],
    ]);
    const [nearRow, differRow] = [rows[1], rows[0]];
    expect(nearRow[5]).toBeLessThan(0.5);
    expect(differRow[5]).toBeGreaterThan(0.9);
    const perTree = (
      await db.query('SELECT dataset, near_duplicate_share FROM tree_action_diversity ORDER BY 1')
    ).rows;
    expect(perTree).toEqual([
      ['differ', 0],
      ['near', 0.6],
    ]);
  });
});

describe('action_features', () => {
  it('holds textFeaturesOf of every stored action; a file synced without them gets them on its next sync', async () => {
    const log = await tempLog();
    const own = await openAnalyticsDb();
    try {
      const { math, code, logic } = smallTrees();
      await appendEvents(log.log, [...math, ...code]);
      await syncLog({ log: log.log, connection: own.connection });
      // What a sink that stored no features left: the next sync (with new events) fills in the older actions too.
      await own.connection.run('DELETE FROM action_features');
      await appendEvents(log.log, logic);
      await syncLog({ log: log.log, connection: own.connection });
      const stored = (
        await own.query(
          'SELECT tree_id, node_id, steps, has_code, chars, ngrams, shingles FROM action_features ORDER BY ALL',
        )
      ).rows;
      const actions = (await own.query('SELECT tree_id, node_id, action FROM turn_executed ORDER BY ALL'))
        .rows;
      expect(actions.length).toBeGreaterThan(6);
      expect(stored).toEqual(
        actions.map(([treeId, nodeId, action]) => {
          const f = textFeaturesOf(String(action));
          return [treeId, nodeId, f.steps, f.hasCode, f.chars, f.ngrams, f.shingles];
        }),
      );
    } finally {
      own.close();
      await log.dispose();
    }
  });
});
