import type { AnalyticsDb } from '../openAnalyticsDb.ts';
import type { QueryResult } from '../queryResult.ts';

/** Everything a report shows, read from the views. */
export interface ReportData {
  readonly totals: Readonly<Record<string, number>>;
  readonly table1: QueryResult;
  readonly strategyDiversity: QueryResult;
  readonly strategyShares: QueryResult;
  /** Diversity in the actions' text per task and dataset (action_diversity). */
  readonly actionDiversity: QueryResult;
  readonly passRate: QueryResult;
  readonly passRateByTurn: QueryResult;
  readonly treeLength: QueryResult;
  readonly critiqueEffectiveness: QueryResult;
  readonly modelContribution: QueryResult;
  readonly cost: QueryResult;
  /** Per grader version of the labels (each node's newest verdict): verdicts, and labels regrade changed. */
  readonly labels: QueryResult;
  /** Examples to open in the viewer: the longest trees of each task and dataset. */
  readonly exampleTrees: QueryResult;
  /** The log's time span (epoch ms of its first and last event), writers and trees. */
  readonly run: QueryResult;
  /** The tree configs on the log (TreeOpened.config) and how many trees grew under each. */
  readonly configs: QueryResult;
  /** A few pairs with their texts: the first two of each task. */
  readonly samplePairs: QueryResult;
}

/** Reads the report's figures from an analytics database. */
export async function reportData(db: AnalyticsDb): Promise<ReportData> {
  const totalsRow = await db.query(`SELECT
    (SELECT count(*) FROM tree_opened) AS trees,
    (SELECT count(*) FROM trees WHERE closed) AS closed_trees,
    (SELECT count(*) FROM strategy_sampled) AS actions,
    (SELECT count(*) FROM verdict_reached WHERE correct) AS correct_actions,
    (SELECT count(*) FROM critique_emitted) AS critiques,
    (SELECT count(*) FROM pair_rows) AS pairs,
    (SELECT count(*) FROM sft_rows) AS sft_rows,
    (SELECT count(*) FROM verdict_reached WHERE correct <> coalesce(original_correct, correct)) AS labels_changed_by_regrade`);
  const totals = Object.fromEntries(totalsRow.columns.map((c, i) => [c, Number(totalsRow.rows[0][i])]));
  return {
    totals,
    table1: await db.query('SELECT * FROM table1'),
    strategyDiversity: await db.query(
      'SELECT task, dataset, actions, strategies, entropy_bits, max_entropy_bits FROM strategy_diversity',
    ),
    strategyShares: await db.query(
      `SELECT task || ' / ' || dataset AS "group", strategy, share
       FROM (SELECT task, dataset, unnest(map_keys(share)) AS strategy, unnest(map_values(share)) AS share
             FROM strategy_diversity)`,
    ),
    actionDiversity: await db.query('SELECT * FROM action_diversity'),
    passRate: await db.query('SELECT * FROM pass_rate'),
    passRateByTurn: await db.query(
      `SELECT turn, strategy, sum(judged)::BIGINT AS judged, round(sum(correct) / sum(judged), 4) AS pass_rate
       FROM pass_rate GROUP BY ALL ORDER BY turn, strategy`,
    ),
    treeLength: await db.query('SELECT * FROM tree_length'),
    critiqueEffectiveness: await db.query('SELECT * FROM critique_effectiveness'),
    modelContribution: await db.query('SELECT * FROM model_contribution'),
    cost: await db.query('SELECT * FROM cost'),
    labels: await db.query(
      `SELECT coalesce(nullif(grader_version, ''), '(unversioned)') AS grader_version, count(*) AS verdicts,
              count(*) FILTER (WHERE correct <> coalesce(original_correct, correct)) AS labels_changed_by_regrade
       FROM verdict_reached GROUP BY 1 ORDER BY 1`,
    ),
    exampleTrees: await db.query(
      `SELECT task, dataset, tree_id, instruction_id, turns, actions, outcome FROM (
         SELECT *, row_number() OVER (PARTITION BY task, dataset ORDER BY turns DESC, actions DESC, tree_id) AS k
         FROM trees)
       WHERE k <= 3 ORDER BY task, dataset, k`,
    ),
    run: await db.query(`SELECT
       (SELECT min(time) FROM tree_opened) AS first_ms,
       greatest((SELECT max(time) FROM tree_opened), (SELECT max(time) FROM turn_executed),
                (SELECT max(time) FROM tree_closed)) AS last_ms,
       (SELECT string_agg(DISTINCT writer, ', ' ORDER BY writer) FROM tree_opened) AS writers`),
    configs: await db.query(
      `SELECT config_json, count(*)::BIGINT AS trees FROM tree_opened GROUP BY 1 ORDER BY trees DESC, config_json`,
    ),
    samplePairs: await db.query(
      `SELECT id, tree_id, task, dataset, turn, chosen_model, rejected_model, left(chosen, 500) AS chosen,
              left(rejected, 500) AS rejected
       FROM (SELECT *, row_number() OVER (PARTITION BY task ORDER BY turn DESC, id) AS k FROM pairs)
       WHERE k <= 2 ORDER BY task, k`,
    ),
  };
}
