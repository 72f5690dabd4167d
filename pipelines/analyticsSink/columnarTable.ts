import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBListType,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
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
      const src = slots[j] >= 0 ? buffers[slots[j]] : null;
      const vector = duckdb.data_chunk_get_vector(chunk.chunk, j);
      if (!writeColumn(vector, types[j], src, rows)) {
        // A type of an older file's column the writer has no fast path for: the node API's own setter.
        const v = chunk.getColumnVector(j);
        for (let i = 0; i < rows; i++) v.setItem(i, (src ? src[i] : null) as never);
        v.flush();
      }
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

/**
 * Writes the first `rows` values of `src` (null: all NULL) into a chunk's vector straight through the bindings:
 * numbers as one typed-array copy, strings one call each, a UINTEGER[] column's lists (arrays of numbers) as one copy
 * of all their elements and one of their (offset, length) entries, NULLs as one validity mask. The node API's
 * vectors set a NULL-able cell with BigInt arithmetic on the mask (allocating; a fifth of the sink's DuckDB time went
 * there) and a list element by element (a DuckDB value each). False for a type without a fast path here.
 */
function writeColumn(vector: duckdb.Vector, type: DuckDBType, src: readonly unknown[] | null, rows: number) {
  const typeId = type.typeId;
  let mask: Uint8Array | null = null;
  const invalid = (i: number) => {
    // DuckDB's validity mask: a bit a row, set when valid, in 64-bit words (little-endian bytes).
    mask ??= new Uint8Array(Math.ceil(rows / 64) * 8).fill(0xff);
    mask[i >> 3] &= ~(1 << (i & 7));
  };
  const copy = (a: Int32Array | Float64Array | BigInt64Array | BigUint64Array | Uint8Array) =>
    duckdb.copy_data_to_vector(vector, 0, a.buffer as ArrayBuffer, a.byteOffset, a.byteLength);
  switch (typeId) {
    case DuckDBTypeId.VARCHAR:
      writeStrings(vector, src, rows, invalid);
      break;
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.BOOLEAN: {
      const a =
        typeId === DuckDBTypeId.INTEGER
          ? new Int32Array(rows)
          : typeId === DuckDBTypeId.DOUBLE
            ? new Float64Array(rows)
            : new Uint8Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = src?.[i];
        if (v === null || v === undefined) invalid(i);
        else a[i] = Number(v);
      }
      copy(a);
      break;
    }
    case DuckDBTypeId.BIGINT: {
      // A number (a safe integer) as its two's-complement halves, little-endian; a bigint as itself.
      const a = new BigInt64Array(rows);
      const halves = new Uint32Array(a.buffer);
      for (let i = 0; i < rows; i++) {
        const v = src?.[i];
        if (v === null || v === undefined) invalid(i);
        else if (typeof v === 'bigint') a[i] = v;
        else {
          const n = v as number;
          if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT column: ${n} is not a safe integer`);
          halves[2 * i] = n >>> 0;
          halves[2 * i + 1] = Math.floor(n / 2 ** 32) >>> 0;
        }
      }
      copy(a);
      break;
    }
    case DuckDBTypeId.LIST: {
      if ((type as DuckDBListType).valueType.typeId !== DuckDBTypeId.UINTEGER) return false;
      let total = 0;
      for (let i = 0; i < rows; i++) total += (src?.[i] as readonly number[] | null | undefined)?.length ?? 0;
      // list_entry_t: the offset of a row's first element in the child vector and the row's length, 64 bits each.
      // Written as 32-bit halves (a chunk's elements are far below 2^32; the high halves stay 0), no BigInt each.
      const entries = new BigUint64Array(2 * rows);
      const halves = new Uint32Array(entries.buffer);
      const elements = new Uint32Array(total);
      let at = 0;
      for (let i = 0; i < rows; i++) {
        const v = src?.[i] as readonly number[] | null | undefined;
        halves[4 * i] = at;
        if (v === null || v === undefined) {
          invalid(i);
          continue;
        }
        halves[4 * i + 2] = v.length;
        elements.set(v, at);
        at += v.length;
      }
      duckdb.list_vector_reserve(vector, total);
      duckdb.list_vector_set_size(vector, total);
      const child = duckdb.list_vector_get_child(vector);
      duckdb.copy_data_to_vector(child, 0, elements.buffer as ArrayBuffer, 0, elements.byteLength);
      copy(entries);
      break;
    }
    default:
      return false;
  }
  if (mask !== null) {
    const m: Uint8Array = mask;
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, m.buffer as ArrayBuffer, m.byteOffset, m.byteLength);
  }
  return true;
}

/** Bytes of a duckdb_string_t (duckdb.h): a uint32 length, then 12 bytes inline or a 4-byte prefix and a pointer. */
const STRING_T = 16;
/** The most bytes a duckdb_string_t holds inline. */
const INLINE = 12;

/** The UTF-8 of a chunk column's longer strings, one after another (grown as needed; reused: one column at a time). */
let blob = Buffer.allocUnsafe(1 << 20);

/**
 * A VARCHAR column: the string_t of each row written into one buffer and copied into the vector at once. A short
 * ASCII string (most ids, names, labels) is written inline (duckdb_string_t's public layout, zero-padded as DuckDB
 * pads it), so is any other string of at most 12 bytes of UTF-8. The longer ones are encoded one after another into
 * one blob, handed to DuckDB once a column and chunk (vector_assign_string_element_len copies it into the vector's
 * own string heap, which lives as long as the vector, and checks its UTF-8), and each row's string_t points into
 * that copy (its length, its first 4 bytes, the copy's address plus its offset). One binding call a string (N-API's
 * string conversion each) was a seventh of the sync's CPU time, and the per-chunk Map that shared repeats hashed
 * every long text.
 */
function writeStrings(
  vector: duckdb.Vector,
  src: readonly unknown[] | null,
  rows: number,
  invalid: (i: number) => void,
): void {
  const out = new Uint8Array(rows * STRING_T);
  const view = new DataView(out.buffer);
  // Rows whose string is in the blob: its start there (bytes), in row order; -1 for the others.
  const starts = new Int32Array(rows).fill(-1);
  let used = 0;
  let firstLong = -1;
  for (let i = 0; i < rows; i++) {
    const v = src?.[i];
    if (v === null || v === undefined) {
      invalid(i);
      continue;
    }
    const text = v as string;
    if (text.length <= INLINE && writeInline(out, view, i * STRING_T, text)) continue;
    // At most 3 bytes of UTF-8 a UTF-16 code unit (a lone surrogate becomes U+FFFD, 3 bytes, as N-API writes it).
    if (used + 3 * text.length > blob.length)
      blob = Buffer.concat([blob.subarray(0, used)], Math.max(2 * blob.length, used + 3 * text.length));
    const bytes = blob.write(text, used);
    const at = i * STRING_T;
    view.setUint32(at, bytes, true);
    if (bytes <= INLINE) {
      // Non-ASCII but short in UTF-8: inline as well.
      out.set(blob.subarray(used, used + bytes), at + 4);
      continue;
    }
    for (let b = 0; b < 4; b++) out[at + 4 + b] = blob[used + b];
    starts[i] = used;
    if (firstLong < 0) firstLong = i;
    used += bytes;
  }
  if (firstLong >= 0) {
    duckdb.vector_assign_string_element_len(vector, firstLong, blob.subarray(0, used));
    // The address of DuckDB's copy of the blob: the pointer of the string_t it wrote (its 8 bytes from byte 8, as
    // two little-endian 32-bit halves; a view or a copy of the vector's data alike: only read here).
    const data = duckdb.vector_get_data(vector, (firstLong + 1) * STRING_T);
    const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const low = d.getUint32(firstLong * STRING_T + 8, true);
    const high = d.getUint32(firstLong * STRING_T + 12, true);
    for (let i = firstLong; i < rows; i++) {
      const start = starts[i];
      if (start < 0) continue;
      const sum = low + start;
      view.setUint32(i * STRING_T + 8, sum >>> 0, true);
      view.setUint32(i * STRING_T + 12, (high + (sum >= 2 ** 32 ? 1 : 0)) >>> 0, true);
    }
  }
  duckdb.copy_data_to_vector(vector, 0, out.buffer as ArrayBuffer, 0, out.byteLength);
}

/** Writes `text` as an inline string_t at `at` when it is ASCII (its UTF-8 is its code units); false otherwise. */
function writeInline(out: Uint8Array, view: DataView, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0x80) {
      out.fill(0, at + 4, at + 4 + k);
      return false;
    }
    out[at + 4 + k] = c;
  }
  view.setUint32(at, text.length, true);
  return true;
}
