import { type DuckDBConnection, LIST, UINTEGER } from '@duckdb/node-api';
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
    const rows = reader.getRows();
    if (!rows.length) return added;
    const appender = await connection.createAppender('action_features');
    try {
      for (const [treeId, nodeId, action] of rows) {
        const f = textFeaturesOf(String(action ?? ''));
        appender.appendVarchar(String(treeId));
        appender.appendVarchar(String(nodeId));
        appender.appendInteger(f.steps);
        appender.appendBoolean(f.hasCode);
        appender.appendInteger(f.chars);
        appender.appendInteger(f.ngrams);
        appender.appendList([...f.shingles], LIST(UINTEGER));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    added += rows.length;
    if (rows.length < BATCH) return added;
  }
}
