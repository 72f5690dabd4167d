import type { DuckDBConnection } from '@duckdb/node-api';
import { emptyTree } from '../assemble/emptyTree.ts';
import { evolveTree } from '../assemble/evolveTree.ts';
import { eventsOfRows } from './eventsOfRows.ts';
import { eventTables } from './eventTables.ts';
import type { EventKindWithTable } from './sinkAppenders.ts';
import type { OpenTree, SinkState } from './sinkState.ts';
import { storedPositions } from './storedPositions.ts';

const OPEN = `(SELECT tree_id FROM (
  ${Object.values(eventTables)
    .map((t) => `SELECT tree_id FROM ${t.table}`)
    .join(' UNION ')})
  EXCEPT SELECT tree_id FROM tree_closed WHERE outcome <> 'failed')`;

/**
 * Rebuilds the sink's memory from its tables (for `topic`): stored positions, the closed trees, and each open tree
 * folded again from its stored rows with the counts of pairs and SFT rows already stored for it. A tree closed
 * `failed` counts as open (a TreeReopened may follow); a solved or exhausted close is final.
 */
export async function loadSinkState(connection: DuckDBConnection, topic: string): Promise<SinkState> {
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  const positions = await storedPositions(connection, topic);
  const closed = new Set<string>();
  const result = await connection.stream("SELECT tree_id FROM tree_closed WHERE outcome <> 'failed'");
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const id of chunk.getColumnValues(0) as string[]) closed.add(id);
  }
  const open = new Map<string, OpenTree>();
  // The open trees' ids once, in a temporary table that the row queries below semi-join with.
  await connection.run(`CREATE OR REPLACE TEMP TABLE sink_open AS ${OPEN.slice(1, -1)}`);
  const of = (table: string) =>
    rows(`SELECT * FROM ${table} WHERE tree_id IN (SELECT tree_id FROM sink_open)`);
  const stored: { [K in EventKindWithTable]?: Record<string, unknown>[] } = {};
  for (const [kind, t] of Object.entries(eventTables)) stored[kind as EventKindWithTable] = await of(t.table);
  const events = eventsOfRows(stored);
  for (const { event } of events) {
    let t = open.get(event.treeId);
    if (!t) {
      t = {
        tree: emptyTree(event.treeId),
        seen: new Set(),
        pairs: 0,
        sft: 0,
        task: null,
        dataset: null,
        // Decide again on the next store: a run that died may have stored the events but not their rows.
        dirty: true,
      };
      open.set(event.treeId, t);
    }
    t.seen.add(event.eventId);
    t.tree = evolveTree(t.tree, event);
    if (event.payload.kind === 'TreeOpened') {
      t.task = event.payload.instruction.task;
      t.dataset = event.payload.instruction.dataset;
    }
  }
  // A reopened tree's stored rows are all its current growth's: a failed growth that is reopened decided none.
  for (const [table, field] of [
    ['pair_rows', 'pairs'],
    ['sft_rows', 'sft'],
  ] as const) {
    for (const r of await rows(
      `SELECT tree_id, count(*) AS n FROM ${table} WHERE tree_id IN (SELECT tree_id FROM sink_open) GROUP BY 1`,
    )) {
      const t = open.get(String(r.tree_id));
      if (t) t[field] = Number(r.n);
    }
  }
  await connection.run('DROP TABLE sink_open');
  return { positions, closed, open };
}
