import type { ColumnarTable } from './columnarTable.ts';
import type { DecidedTable } from './decidedTable.ts';

/** Appends a record decided by pipelines/assemble (a pair, an SFT row) as a row of its table (decidedTables). */
export function appendDecided<T>(table: ColumnarTable, spec: DecidedTable<T>, value: T): void {
  spec.push(table.columns, value);
  table.endRow();
}
