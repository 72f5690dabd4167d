import type { Assembled } from '../assemble/assembled.ts';
import type { SortKey } from './sortedRows.ts';

/** Where an assembled row sorts in an export: its tree, its turn (0 for RM pairs), its id. */
export function sortKeyOf(a: Assembled): SortKey {
  return { tree: a.row.treeId, turn: a.kind === 'rm' ? 0 : a.row.turn, id: a.row.id };
}
