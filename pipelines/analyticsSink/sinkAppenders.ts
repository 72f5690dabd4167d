import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { type ColumnarTable, createColumnarTable } from './columnarTable.ts';
import type { ColumnType } from './eventTable.ts';
import { eventTables } from './eventTables.ts';

export type EventKindWithTable = keyof typeof eventTables;

/** The writers of every sink table (see analytics/eventTables.sql and analytics/schema.sql). */
export interface SinkAppenders {
  /** One per event kind with a table (generated from the schema). */
  readonly events: { readonly [K in EventKindWithTable]: ColumnarTable };
  readonly pairRows: ColumnarTable;
  readonly sftRows: ColumnarTable;
  readonly actionValidity: ColumnarTable;
  readonly syncDamage: DuckDBAppender;
  readonly syncState: DuckDBAppender;
}

/** The columns of the tables of what the sink decides (analytics/schema.sql), in the order their writers push. */
export const decidedColumns = {
  pair_rows: [
    ['id', 'VARCHAR'],
    ['parent_id', 'VARCHAR'],
    ['tree_id', 'VARCHAR'],
    ['task', 'VARCHAR'],
    ['dataset', 'VARCHAR'],
    ['turn', 'INTEGER'],
    ['chosen_node_id', 'VARCHAR'],
    ['rejected_node_id', 'VARCHAR'],
    ['chosen_model', 'VARCHAR'],
    ['rejected_model', 'VARCHAR'],
    ['trajectory_json', 'VARCHAR'],
  ],
  sft_rows: [
    ['id', 'VARCHAR'],
    ['parent_id', 'VARCHAR'],
    ['tree_id', 'VARCHAR'],
    ['task', 'VARCHAR'],
    ['dataset', 'VARCHAR'],
    ['turn', 'INTEGER'],
    ['node_id', 'VARCHAR'],
    ['model', 'VARCHAR'],
  ],
  action_validity: [
    ['tree_id', 'VARCHAR'],
    ['node_id', 'VARCHAR'],
    ['valid', 'BOOLEAN'],
  ],
} as const satisfies Record<string, readonly (readonly [string, ColumnType])[]>;

/** Every table the sink writes, in flush order: a position (sync_state, last) is stored only after its rows. */
export const sinkTables: readonly string[] = [
  ...Object.values(eventTables).map((t) => t.table),
  ...Object.keys(decidedColumns),
  'sync_damage',
  'sync_state',
];

/** Creates the writers of every sink table on a connection. */
export async function createSinkAppenders(connection: DuckDBConnection): Promise<SinkAppenders> {
  const events = {} as Record<EventKindWithTable, ColumnarTable>;
  for (const [kind, t] of Object.entries(eventTables))
    events[kind as EventKindWithTable] = await createColumnarTable(connection, t.table, t.columns);
  return {
    events,
    pairRows: await createColumnarTable(connection, 'pair_rows', decidedColumns.pair_rows),
    sftRows: await createColumnarTable(connection, 'sft_rows', decidedColumns.sft_rows),
    actionValidity: await createColumnarTable(connection, 'action_validity', decidedColumns.action_validity),
    syncDamage: await connection.createAppender('sync_damage'),
    syncState: await connection.createAppender('sync_state'),
  };
}

const columnarOf = (a: SinkAppenders): ColumnarTable[] => [
  ...Object.values(a.events),
  a.pairRows,
  a.sftRows,
  a.actionValidity,
];

/** Flushes every writer but sync_state's, in sinkTables' order. */
export function flushSinkAppenders(a: SinkAppenders): void {
  for (const t of columnarOf(a)) t.flush();
  a.syncDamage.flushSync();
}

/** Flushes and closes every writer. */
export function closeSinkAppenders(a: SinkAppenders): void {
  for (const t of columnarOf(a)) {
    t.flush();
    t.close();
  }
  a.syncDamage.closeSync();
  a.syncState.closeSync();
}
