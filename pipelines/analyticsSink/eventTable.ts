import type { LogRecord } from '../../connectors/log/eventLog.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import type { ColumnBuffer } from './columnBuffer.ts';
import type { SinkContext } from './sinkContext.ts';

/** A DuckDB column type the sink's tables use. */
export type ColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'UINTEGER[]';

/** One event kind's table, as scripts/genSinkTables.ts generates it from the schema (see eventTables.ts). */
export interface EventTable<P> {
  readonly table: string;
  /** Name and type of each column, in the order `push` fills them. */
  readonly columns: readonly (readonly [string, ColumnType])[];
  /** Appends the event's value of each column to that column's buffer (`c[i]` for `columns[i]`). */
  push(c: readonly ColumnBuffer[], r: LogRecord<TreeEvent>, p: P, x: SinkContext): void;
  /** The payload a stored row stands for (by column name); fields not stored take their schema defaults. */
  payloadOf(row: Readonly<Record<string, unknown>>): P;
}
