import type { AnalyticsDb } from '../openAnalyticsDb.ts';

const objects = (r: { columns: readonly string[]; rows: readonly (readonly unknown[])[] }) =>
  r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));

export interface TreeSearch {
  /** Matched against tree id (prefix), instruction id and instruction text (substring, any case). */
  readonly q?: string;
  readonly task?: string;
  readonly dataset?: string;
  /** Page size; default 50, at most 500. */
  readonly limit?: number;
  readonly offset?: number;
}

/** The viewer's reads: tree search, one tree with its nodes, and the facets (tasks, datasets). */
export function viewerQueries(db: AnalyticsDb) {
  return {
    async facets() {
      const tasks = await db.query('SELECT DISTINCT task FROM tree_opened ORDER BY 1');
      const datasets = await db.query('SELECT DISTINCT dataset FROM tree_opened ORDER BY 1');
      return { tasks: tasks.rows.map((r) => r[0]), datasets: datasets.rows.map((r) => r[0]) };
    },
    async search({ q = '', task = '', dataset = '', limit = 50, offset = 0 }: TreeSearch) {
      const where = `($q = '' OR starts_with(tree_id, $q) OR contains(lower(instruction_id), lower($q))
          OR contains(lower(instruction), lower($q)))
        AND ($task = '' OR task = $task) AND ($dataset = '' OR dataset = $dataset)`;
      const params = { q, task, dataset };
      const total = await db.query(`SELECT count(*) FROM trees WHERE ${where}`, params);
      const trees = await db.query(
        `SELECT tree_id, instruction_id, task, dataset, turns, actions, correct_actions, outcome,
                left(instruction, 140) AS preview
         FROM trees WHERE ${where} ORDER BY task, dataset, instruction_id, tree_id
         LIMIT ${Math.min(500, Math.max(1, Math.floor(limit)))} OFFSET ${Math.max(0, Math.floor(offset))}`,
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
          'SELECT id, turn, chosen_node_id, rejected_node_id FROM pair_rows WHERE tree_id = $id',
          {
            id: treeId,
          },
        ),
      );
      return { tree, nodes, pairs };
    },
  };
}
