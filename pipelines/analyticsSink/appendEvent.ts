import type { LogRecord } from '../../connectors/log/eventLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import type { EventTable } from './eventTable.ts';
import { eventTables } from './eventTables.ts';
import type { EventKindWithTable, SinkAppenders } from './sinkAppenders.ts';
import type { SinkContext } from './sinkContext.ts';

/**
 * Appends one tree event as a row of its kind's table, with its log position: the columns and how each is read off
 * the event are generated from the schema (scripts/genSinkTables.ts). Kinds without a table (the grower's
 * bookkeeping) are skipped.
 */
export function appendEvent(a: SinkAppenders, record: LogRecord<TreeEvent>, context: SinkContext): void {
  const p = record.value.payload;
  const t = eventTables[p.kind as EventKindWithTable] as EventTable<typeof p> | undefined;
  if (t === undefined) return;
  const table = a.events[p.kind as EventKindWithTable];
  t.push(table.columns, record, p, context);
  table.endRow();
}
