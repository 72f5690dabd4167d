import type { AnalyticsDb } from '../openAnalyticsDb.ts';

const objects = (r: { columns: readonly string[]; rows: readonly (readonly unknown[])[] }) =>
  r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));

/** Node filters: a tree matches when one of its actions does; the viewer dims the others. */
export interface NodeFilter {
  /** correct | incorrect | dropped (syntax or failure) | unjudged; '' for any. */
  readonly verdict?: string;
  readonly model?: string;
  readonly strategy?: string;
  /** 1-based; 0 for any. */
  readonly turn?: number;
}

export interface TreeSearch extends NodeFilter {
  /** Matched against tree id (prefix), instruction id and instruction text (substring, any case). */
  readonly q?: string;
  readonly task?: string;
  readonly dataset?: string;
  /** solved | exhausted | failed | open; '' for any. */
  readonly outcome?: string;
  /** Page size; default 50, at most 500. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface PairSearch {
  /** Matched against the pair id (prefix) and the instruction id (substring). */
  readonly q?: string;
  readonly task?: string;
  readonly dataset?: string;
  /** Either side's model. */
  readonly model?: string;
  readonly turn?: number;
  readonly limit?: number;
  readonly offset?: number;
}

const VERDICT: Record<string, string> = {
  correct: 'n.valid AND n.correct',
  incorrect: 'n.valid AND NOT n.correct',
  dropped: 'n.correct IS NOT NULL AND NOT n.valid',
  unjudged: 'n.correct IS NULL',
};

const page = (limit: number, offset: number) =>
  `LIMIT ${Math.min(500, Math.max(1, Math.floor(limit)))} OFFSET ${Math.max(0, Math.floor(offset))}`;

/** The viewer's reads: tree and pair search, one tree with its nodes and pairs, one pair side by side, facets. */
export function viewerQueries(db: AnalyticsDb) {
  const nodeWhere = ({ verdict = '', model = '', strategy = '', turn = 0 }: NodeFilter) => {
    const verdictSql = VERDICT[verdict];
    if (verdict && !verdictSql)
      throw new Error(`verdict ${JSON.stringify(verdict)} is not one of ${Object.keys(VERDICT).join(', ')}`);
    if (!verdict && !model && !strategy && !turn) return 'TRUE';
    return `EXISTS (SELECT 1 FROM nodes n WHERE n.tree_id = trees.tree_id
      AND ($model = '' OR n.model = $model) AND ($strategy = '' OR n.strategy = $strategy)
      AND ($turn = 0 OR n.turn = $turn) AND (${verdictSql ?? 'TRUE'}))`;
  };
  return {
    async facets() {
      const list = async (sql: string) => (await db.query(sql)).rows.map((r) => r[0]);
      return {
        tasks: await list('SELECT DISTINCT task FROM tree_opened ORDER BY 1'),
        datasets: await list('SELECT DISTINCT dataset FROM tree_opened ORDER BY 1'),
        outcomes: ['solved', 'exhausted', 'failed', 'open'],
        verdicts: Object.keys(VERDICT),
        models: await list('SELECT DISTINCT model FROM strategy_sampled ORDER BY 1'),
        strategies: await list('SELECT DISTINCT strategy FROM strategy_sampled ORDER BY 1'),
        turns: await list('SELECT DISTINCT turn FROM strategy_sampled ORDER BY 1'),
      };
    },
    async search(s: TreeSearch) {
      const { q = '', task = '', dataset = '', outcome = '', limit = 50, offset = 0 } = s;
      const where = `($q = '' OR starts_with(tree_id, $q) OR contains(lower(instruction_id), lower($q))
          OR contains(lower(instruction), lower($q)))
        AND ($task = '' OR task = $task) AND ($dataset = '' OR dataset = $dataset)
        AND ($outcome = '' OR coalesce(outcome, 'open') = $outcome) AND ${nodeWhere(s)}`;
      const byNode = nodeWhere(s) !== 'TRUE';
      // DuckDB refuses parameters the statement does not use.
      const params = {
        q,
        task,
        dataset,
        outcome,
        ...(byNode ? { model: s.model ?? '', strategy: s.strategy ?? '', turn: s.turn ?? 0 } : {}),
      };
      const total = await db.query(`SELECT count(*) FROM trees WHERE ${where}`, params);
      const trees = await db.query(
        `SELECT tree_id, instruction_id, task, dataset, turns, actions, correct_actions, outcome,
                left(instruction, 140) AS preview
         FROM trees WHERE ${where} ORDER BY task, dataset, instruction_id, tree_id ${page(limit, offset)}`,
        params,
      );
      return { total: Number(total.rows[0][0]), trees: objects(trees) };
    },
    async tree(treeId: string) {
      const tree = objects(await db.query('SELECT * FROM trees WHERE tree_id = $id', { id: treeId }))[0];
      if (!tree) return null;
      const nodes = objects(
        await db.query(
          `SELECT node_id, parent_id, turn, strategy, model, role, attempt, action, code, answer, syntax_ok,
                  observation, prompt_tokens, completion_tokens, latency_ms, failure, correct, grader, detail,
                  critique, critic_model, valid
           FROM nodes WHERE tree_id = $id ORDER BY part, off`,
          { id: treeId },
        ),
      );
      const pairs = objects(
        await db.query(
          `SELECT id, turn, chosen_node_id, rejected_node_id, chosen_model, rejected_model
           FROM pair_rows WHERE tree_id = $id ORDER BY turn, id`,
          { id: treeId },
        ),
      );
      return { tree, nodes, pairs };
    },
    async pairs({
      q = '',
      task = '',
      dataset = '',
      model = '',
      turn = 0,
      limit = 50,
      offset = 0,
    }: PairSearch) {
      const where = `($q = '' OR starts_with(p.id, $q) OR contains(lower(p.parent_id), lower($q)))
        AND ($task = '' OR p.task = $task) AND ($dataset = '' OR p.dataset = $dataset)
        AND ($model = '' OR p.chosen_model = $model OR p.rejected_model = $model) AND ($turn = 0 OR p.turn = $turn)`;
      const params = { q, task, dataset, model, turn };
      const total = await db.query(`SELECT count(*) FROM pair_rows p WHERE ${where}`, params);
      const rows = await db.query(
        `SELECT p.id, p.tree_id, p.parent_id AS instruction_id, p.task, p.dataset, p.turn, p.chosen_model,
                p.rejected_model, p.chosen_node_id, p.rejected_node_id
         FROM pair_rows p WHERE ${where} ORDER BY p.task, p.dataset, p.id ${page(limit, offset)}`,
        params,
      );
      return { total: Number(total.rows[0][0]), pairs: objects(rows) };
    },
    async pair(id: string) {
      const pair = objects(
        await db.query(
          `SELECT p.id, p.tree_id, p.parent_id AS instruction_id, p.task, p.dataset, p.turn, p.chosen_node_id,
                  p.rejected_node_id, p.chosen_model, p.rejected_model, p.trajectory_json
           FROM pair_rows p WHERE p.id = $id LIMIT 1`,
          { id },
        ),
      )[0];
      if (!pair) return null;
      const node = async (nodeId: unknown) =>
        objects(
          await db.query(
            `SELECT node_id, turn, strategy, model, role, attempt, action, code, answer, observation, correct,
                    grader, detail, valid
             FROM nodes WHERE tree_id = $tree AND node_id = $node`,
            { tree: pair.tree_id as string, node: nodeId as string },
          ),
        )[0] ?? null;
      const { trajectory_json, ...rest } = pair;
      return {
        pair: rest,
        trajectory: JSON.parse(String(trajectory_json ?? '[]')),
        chosen: await node(pair.chosen_node_id),
        rejected: await node(pair.rejected_node_id),
      };
    },
  };
}
