import { scanTextFeatures } from '../features/scanTextFeatures.ts';
import type { ColumnBuffer } from './columnBuffer.ts';
import type { ColumnType } from './eventTable.ts';

/**
 * action_features (analytics/actionFeatures.sql): each stored action's text features (pipelines/features/
 * textFeaturesOf, computed by scanTextFeatures) by (tree_id, node_id), and how an action becomes its row. The sink pushes one with each
 * turn_executed row it appends (same batch, same transaction); appendActionFeatures fills in those of a file synced
 * before features existed.
 */
export const actionFeaturesTable = {
  table: 'action_features',
  columns: [
    ['tree_id', 'VARCHAR'],
    ['node_id', 'VARCHAR'],
    ['steps', 'INTEGER'],
    ['has_code', 'BOOLEAN'],
    ['chars', 'INTEGER'],
    ['ngrams', 'INTEGER'],
    ['shingles', 'UINTEGER[]'],
  ] as const satisfies readonly (readonly [string, ColumnType])[],
  /**
   * Appends the features of `action` to the columns' buffers (`c[i]` for `columns[i]`); the shingles go from
   * scanTextFeatures' reused buffer straight into the list column (one typed-array copy, no number[] between).
   */
  push(c: readonly ColumnBuffer[], treeId: string, nodeId: string, action: string): void {
    const f = scanTextFeatures(action);
    c[0].push(treeId);
    c[1].push(nodeId);
    c[2].push(f.steps);
    c[3].push(f.hasCode);
    c[4].push(f.chars);
    c[5].push(f.ngrams);
    c[6].push(f.shingles);
  },
};
