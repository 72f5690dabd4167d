import type { ColumnBuffer } from './columnBuffer.ts';
import type { ColumnType } from './eventTable.ts';

/** The table of one record decided by pipelines/assemble, as scripts/genSinkTables.ts generates it (decidedTables). */
export interface DecidedTable<T> {
  readonly table: string;
  /** Name and type of each column, in the order `push` fills them. */
  readonly columns: readonly (readonly [string, ColumnType])[];
  /** Appends the record's value of each column to that column's buffer (`c[i]` for `columns[i]`). */
  push(c: readonly ColumnBuffer[], v: T): void;
}
