import type { DuckDBConnection } from '@duckdb/node-api';
import { textFeaturesOf } from '../features/textFeaturesOf.ts';

/** Actions read and appended at once: bounds the memory of a first sync of a large database. */
const BATCH = 20_000;

/**
 * Stores the text features (pipelines/features/textFeaturesOf) of every action in turn_executed that has none yet
 * in action_features (analytics/actionFeatures.sql), by (tree_id, node_id): run after each sync, so a database synced
 * before features existed gets them on its next sync. Returns how many it added.
 */
export async function appendActionFeatures(connection: DuckDBConnection): Promise<number> {
  let added = 0;
  for (;;) {
    const reader = await connection.runAndReadAll(
      `SELECT t.tree_id, t.node_id, t.action FROM turn_executed t
       ANTI JOIN action_features f ON f.tree_id = t.tree_id AND f.node_id = t.node_id
       LIMIT ${BATCH}`,
    );
    // Column by column (plain JS strings), not row values: a node-api value object per cell cost more than the read.
    if (reader.currentRowCount === 0) return added;
    const [treeIds, nodeIds, actions] = reader.getColumnsJS() as (string | null)[][];
    const rows = treeIds.map((t, i) => [t, nodeIds[i], actions[i]] as const);
    if (!rows.length) return added;
    // The 3-gram sets go in as text ('[h1,h2,…]') that DuckDB casts to UINTEGER[] in one INSERT: appendList built a
    // node-api value per element (about 10 CPU-s for 83K actions of 100-400 B, most of a 300K-event sync; as text
    // about a tenth of that).
    await connection.run(
      'CREATE OR REPLACE TEMP TABLE sink_features (tree_id VARCHAR, node_id VARCHAR, steps INTEGER, has_code BOOLEAN, chars INTEGER, ngrams INTEGER, shingles VARCHAR)',
    );
    const appender = await connection.createAppender('sink_features');
    try {
      for (const [treeId, nodeId, action] of rows) {
        const f = textFeaturesOf(String(action ?? ''));
        appender.appendVarchar(String(treeId));
        appender.appendVarchar(String(nodeId));
        appender.appendInteger(f.steps);
        appender.appendBoolean(f.hasCode);
        appender.appendInteger(f.chars);
        appender.appendInteger(f.ngrams);
        appender.appendVarchar(`[${f.shingles.join(',')}]`);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await connection.run(
      `INSERT INTO action_features (tree_id, node_id, steps, has_code, chars, ngrams, shingles)
       SELECT tree_id, node_id, steps, has_code, chars, ngrams, CAST(shingles AS UINTEGER[]) FROM sink_features;
       DROP TABLE sink_features`,
    );
    added += rows.length;
    if (rows.length < BATCH) return added;
  }
}
