import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { actionFeaturesTable } from './actionFeaturesTable.ts';
import { type ColumnarTable, createColumnarTable } from './columnarTable.ts';
import { decidedTables } from './decidedTables.ts';
import type { ColumnType } from './eventTable.ts';
import { eventTables } from './eventTables.ts';

export type EventKindWithTable = keyof typeof eventTables;

/** The writers of every sink table (see analytics/sinkTables.sql and analytics/schema.sql). */
export interface SinkAppenders {
  /** One per event kind with a table (generated from the schema). */
  readonly events: { readonly [K in EventKindWithTable]: ColumnarTable };
  readonly pairRows: ColumnarTable;
  readonly sftRows: ColumnarTable;
  readonly actionValidity: ColumnarTable;
  readonly actionFeatures: ColumnarTable;
  readonly syncDamage: DuckDBAppender;
  readonly syncState: DuckDBAppender;
}

/** action_validity's columns (analytics/schema.sql): the sink's isValidAction of each completed action. */
const actionValidityColumns = [
  ['tree_id', 'VARCHAR'],
  ['node_id', 'VARCHAR'],
  ['valid', 'BOOLEAN'],
] as const satisfies readonly (readonly [string, ColumnType])[];

/** Every table the sink writes, in flush order: a position (sync_state, last) is stored only after its rows. */
export const sinkTables: readonly string[] = [
  ...Object.values(eventTables).map((t) => t.table),
  ...Object.values(decidedTables).map((t) => t.table),
  'action_validity',
  actionFeaturesTable.table,
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
    pairRows: await createColumnarTable(
      connection,
      decidedTables.pairRows.table,
      decidedTables.pairRows.columns,
    ),
    sftRows: await createColumnarTable(
      connection,
      decidedTables.sftRows.table,
      decidedTables.sftRows.columns,
    ),
    actionValidity: await createColumnarTable(connection, 'action_validity', actionValidityColumns),
    actionFeatures: await createColumnarTable(
      connection,
      actionFeaturesTable.table,
      actionFeaturesTable.columns,
    ),
    syncDamage: await connection.createAppender('sync_damage'),
    syncState: await connection.createAppender('sync_state'),
  };
}

const columnarOf = (a: SinkAppenders): ColumnarTable[] => [
  ...Object.values(a.events),
  a.pairRows,
  a.sftRows,
  a.actionValidity,
  a.actionFeatures,
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
