import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
} from '@duckdb/node-api';
import { ArboretumError } from '../../schemas/errors.ts';
import type { ColumnType } from './eventTable.ts';

/** DuckDB's vector size: the most rows a data chunk holds. */
const VECTOR_SIZE = 2048;

/** Rows of one table buffered by column, appended to DuckDB as data chunks. */
export interface ColumnarTable {
  /** One buffer per column (in the order the table was created with): push a value onto each, then call endRow. */
  readonly columns: unknown[][];
  /** Ends a row: every 2,048 rows (DuckDB's vector size) they go to the appender as one data chunk. */
  endRow(): void;
  /** Appends the rows still buffered and flushes the appender (its rows are then in the table). */
  flush(): void;
  close(): void;
}

/**
 * A columnar writer for `table`, whose rows are given as `columns` (name, type). The table's own column order is
 * read from the database, so a file whose columns were added later (ALTER TABLE … ADD COLUMN) or that has columns
 * the writer does not know (they get NULL) is written by name, not by position. Per-value appender calls were the
 * sync's limit (bench/analytics.ts); a chunk's numeric columns are copied in one call each.
 */
export async function createColumnarTable(
  connection: DuckDBConnection,
  table: string,
  columns: readonly (readonly [string, ColumnType])[],
): Promise<ColumnarTable> {
  const reader = await connection.runAndReadAll(
    `SELECT column_name FROM duckdb_columns()
     WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $table
     ORDER BY column_index`,
    { table },
  );
  const names = reader.getRowsJS().map(([n]) => String(n));
  const missing = columns.filter(([n]) => !names.includes(n)).map(([n]) => n);
  if (missing.length > 0)
    throw new ArboretumError(
      'INVALID_INPUT',
      `DuckDB table ${table} lacks the column(s) ${missing.join(', ')}: open the database with openAnalyticsDb`,
      { context: { table } },
    );
  const slots = names.map((n) => columns.findIndex(([c]) => c === n));
  const appender: DuckDBAppender = await connection.createAppender(table);
  const types: DuckDBType[] = names.map((_, j) => appender.columnType(j));
  const buffers: unknown[][] = columns.map(() => []);
  let rows = 0;
  // Handing each full chunk over at once keeps the JS heap small (the strings die young: a tenth of the sync's time
  // was garbage collection while a batch's rows waited in JS arrays); the appender keeps them until flushSync.
  const emit = () => {
    if (rows === 0) return;
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let j = 0; j < slots.length; j++) {
      const vector = chunk.getColumnVector(j);
      const src = slots[j] >= 0 ? buffers[slots[j]] : null;
      for (let i = 0; i < rows; i++) vector.setItem(i, (src ? src[i] : null) as never);
      vector.flush();
    }
    appender.appendDataChunk(chunk);
    for (const b of buffers) b.length = 0;
    rows = 0;
  };
  return {
    columns: buffers,
    endRow() {
      if (++rows === VECTOR_SIZE) emit();
    },
    flush() {
      emit();
      appender.flushSync();
    },
    close() {
      appender.closeSync();
    },
  };
}
