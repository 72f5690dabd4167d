import type { DuckDBConnection } from '@duckdb/node-api';
import { actionFeaturesTable } from './actionFeaturesTable.ts';
import { createColumnarTable } from './columnarTable.ts';

/** Actions read and appended at once: bounds the memory of catching up a large database. */
const BATCH = 20_000;

/**
 * Stores the text features (actionFeaturesTable) of every action in turn_executed that has none yet in
 * action_features, by (tree_id, node_id): the sink stores them with each action it appends, so this fills in only a
 * database synced before features existed (or by an arboretum that stored them after the sync). Returns how many it
 * added.
 */
export async function appendActionFeatures(connection: DuckDBConnection): Promise<number> {
  let added = 0;
  for (;;) {
    const reader = await connection.runAndReadAll(
      `SELECT t.tree_id, t.node_id, t.action FROM turn_executed t
       ANTI JOIN action_features f ON f.tree_id = t.tree_id AND f.node_id = t.node_id
       LIMIT ${BATCH}`,
    );
    if (reader.currentRowCount === 0) return added;
    // Column by column (plain JS strings), not row values: a node-api value object per cell cost more than the read.
    const [treeIds, nodeIds, actions] = reader.getColumnsJS() as (string | null)[][];
    const table = await createColumnarTable(
      connection,
      actionFeaturesTable.table,
      actionFeaturesTable.columns,
    );
    try {
      for (let i = 0; i < treeIds.length; i++) {
        actionFeaturesTable.push(table.columns, String(treeIds[i]), String(nodeIds[i]), actions[i] ?? '');
        table.endRow();
      }
      table.flush();
    } finally {
      table.close();
    }
    added += treeIds.length;
    if (treeIds.length < BATCH) return added;
  }
}
