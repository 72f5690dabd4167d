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
import type { ColumnBuffer } from './columnBuffer.ts';
import type { ColumnType } from './eventTable.ts';

/** DuckDB's vector size: the most rows a data chunk holds. */
const VECTOR_SIZE = 2048;

/** Rows of one table buffered by column, appended to DuckDB as data chunks. */
export interface ColumnarTable {
  /** One buffer per column (in the order the table was created with): push a value onto each, then call endRow. */
  readonly columns: readonly ColumnBuffer[];
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
 * sync's limit (bench/analytics.ts); a chunk's columns are copied in one call each.
 *
 * Each column keeps its values as the chunk will hold them from the moment they are pushed: numbers in a typed
 * array, strings as their string_t and UTF-8 (in an ArrayBuffer, outside the JavaScript heap). Kept as JavaScript
 * values until their chunk was full (up to 2,048 rows: a pair chunk spans ~23K events), the texts of the decoded
 * events outlived their events, and the young-generation collections copied and promoted them (bench/RESULTS.md).
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
  const appender: DuckDBAppender = await connection.createAppender(table);
  const types: DuckDBType[] = names.map((_, j) => appender.columnType(j));
  // One buffer per column of the table, by its type there; a column the writer does not fill stays all NULL.
  const buffers = types.map(columnOf);
  let rows = 0;
  // One data chunk for all of them, reset after each hand-over: the appender copies a chunk's values, strings
  // included, into its own collection, and the reset gives the vectors back all valid (test: a chunk without NULLs
  // after one with them). Creating one a chunk (its logical types, then DuckDB's vectors) cost ~0.7 ms each, ~0.2
  // CPU-s of a 300K-event sync. Not with a column set through the node API's vectors (ValueColumn: an older file's
  // type), which the node API's chunk object caches with their row count.
  const reusable = buffers.every((b) => b instanceof MaskedColumn);
  let chunk: DuckDBDataChunk | null = null;
  // Handing each full chunk over at once keeps memory small; the appender keeps the rows until flushSync.
  const emit = () => {
    if (rows === 0) return;
    if (chunk === null || !reusable) chunk = DuckDBDataChunk.create(types);
    else chunk.reset();
    chunk.rowCount = rows;
    for (let j = 0; j < buffers.length; j++) buffers[j].write(chunk, j, rows);
    appender.appendDataChunk(chunk);
    rows = 0;
  };
  return {
    columns: columns.map(([n]) => buffers[names.indexOf(n)]),
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

/** A column's buffer for a chunk: its values so far, written into the chunk's vector (then emptied) by `write`. */
interface Column extends ColumnBuffer {
  /** Writes the first `rows` values into vector `j` of `chunk` (NULL for rows not pushed) and starts a new chunk. */
  write(chunk: DuckDBDataChunk, j: number, rows: number): void;
}

/** The buffer of a column of DuckDB type `type`: a fast one for the sink's types, the node API's setters otherwise. */
function columnOf(type: DuckDBType): Column {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return new StringColumn();
    case DuckDBTypeId.INTEGER:
      return new NumberColumn(new Int32Array(VECTOR_SIZE));
    case DuckDBTypeId.DOUBLE:
      return new NumberColumn(new Float64Array(VECTOR_SIZE));
    case DuckDBTypeId.BOOLEAN:
      return new NumberColumn(new Uint8Array(VECTOR_SIZE));
    case DuckDBTypeId.BIGINT:
      return new BigIntColumn();
    case DuckDBTypeId.LIST:
      if ((type as DuckDBListType).valueType.typeId === DuckDBTypeId.UINTEGER) return new UintListColumn();
      return new ValueColumn();
    default:
      // A type of an older file's column the writer has no fast path for.
      return new ValueColumn();
  }
}

/**
 * What every fast column shares: its row count and validity mask. DuckDB's validity mask is a bit a row, set when
 * valid, in 64-bit words (little-endian bytes); it is copied only when a row is NULL. The node API's vectors set a
 * NULL-able cell with BigInt arithmetic on the mask (allocating; a fifth of the sink's DuckDB time went there).
 */
abstract class MaskedColumn implements Column {
  protected n = 0;
  private readonly mask = new Uint8Array(VECTOR_SIZE / 8).fill(0xff);
  private nulls = false;
  abstract push(value: unknown): void;
  /** Writes this chunk's data (`rows` rows) into the vector and empties itself but for the mask. */
  protected abstract writeData(vector: duckdb.Vector, rows: number): void;
  protected invalid(i: number): void {
    this.mask[i >> 3] &= ~(1 << (i & 7));
    this.nulls = true;
  }
  write(chunk: DuckDBDataChunk, j: number, rows: number): void {
    if (this.n > rows) throw new Error(`columnarTable: ${this.n} values pushed in a chunk of ${rows} rows`);
    while (this.n < rows) this.push(null);
    const vector = duckdb.data_chunk_get_vector(chunk.chunk, j);
    this.writeData(vector, rows);
    if (this.nulls) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, this.mask.buffer, 0, Math.ceil(rows / 64) * 8);
      this.mask.fill(0xff);
      this.nulls = false;
    }
    this.n = 0;
  }
}

/** INTEGER, DOUBLE or BOOLEAN: each value as a number in a typed array, copied into the vector at once. */
class NumberColumn extends MaskedColumn {
  constructor(private readonly values: Int32Array | Float64Array | Uint8Array) {
    super();
  }
  push(value: unknown): void {
    const i = this.n++;
    if (value === null || value === undefined) {
      this.invalid(i);
      this.values[i] = 0;
    } else this.values[i] = Number(value);
  }
  protected writeData(vector: duckdb.Vector, rows: number): void {
    duckdb.copy_data_to_vector(
      vector,
      0,
      this.values.buffer as ArrayBuffer,
      0,
      rows * this.values.BYTES_PER_ELEMENT,
    );
  }
}

/** BIGINT: a number (a safe integer) as its two's-complement halves, little-endian (no BigInt a cell); a bigint as itself. */
class BigIntColumn extends MaskedColumn {
  private readonly values = new BigInt64Array(VECTOR_SIZE);
  private readonly halves = new Uint32Array(this.values.buffer);
  push(value: unknown): void {
    const i = this.n++;
    if (value === null || value === undefined) {
      this.invalid(i);
      this.halves[2 * i] = 0;
      this.halves[2 * i + 1] = 0;
    } else if (typeof value === 'bigint') this.values[i] = value;
    else {
      const n = value as number;
      if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT column: ${n} is not a safe integer`);
      this.halves[2 * i] = n >>> 0;
      this.halves[2 * i + 1] = Math.floor(n / 2 ** 32) >>> 0;
    }
  }
  protected writeData(vector: duckdb.Vector, rows: number): void {
    duckdb.copy_data_to_vector(vector, 0, this.values.buffer as ArrayBuffer, 0, rows * 8);
  }
}

/**
 * UINTEGER[]: each list (an array of numbers, or a Uint32Array) copied at its push into one typed array of the chunk's elements, and
 * its list_entry_t (the offset of its first element in the child vector and its length, 64 bits each, written as
 * 32-bit halves: a chunk's elements are far below 2^32, the high halves stay 0); both copied into the vector at once.
 * The node API sets a list element by element (a DuckDB value each).
 */
class UintListColumn extends MaskedColumn {
  private elements = new Uint32Array(64 * 1024);
  private used = 0;
  private readonly entries = new BigUint64Array(2 * VECTOR_SIZE);
  private readonly halves = new Uint32Array(this.entries.buffer);
  push(value: unknown): void {
    const i = this.n++;
    // A number[] or a Uint32Array (set copies the latter as one block).
    const v = value as ArrayLike<number> | null | undefined;
    this.halves[4 * i] = this.used;
    if (v === null || v === undefined) {
      this.invalid(i);
      this.halves[4 * i + 2] = 0;
      return;
    }
    if (this.used + v.length > this.elements.length) {
      const grown = new Uint32Array(Math.max(2 * this.elements.length, this.used + v.length));
      grown.set(this.elements.subarray(0, this.used));
      this.elements = grown;
    }
    this.halves[4 * i + 2] = v.length;
    this.elements.set(v, this.used);
    this.used += v.length;
  }
  protected writeData(vector: duckdb.Vector, rows: number): void {
    duckdb.list_vector_reserve(vector, this.used);
    duckdb.list_vector_set_size(vector, this.used);
    const child = duckdb.list_vector_get_child(vector);
    duckdb.copy_data_to_vector(child, 0, this.elements.buffer as ArrayBuffer, 0, this.used * 4);
    duckdb.copy_data_to_vector(vector, 0, this.entries.buffer as ArrayBuffer, 0, rows * 16);
    this.used = 0;
  }
}

/** Node's Buffer method behind Buffer#write for UTF-8 (on every Buffer; not in @types/node). */
type Utf8Writable = Buffer & { utf8Write(text: string, offset: number, length: number): number };

/** Bytes of a duckdb_string_t (duckdb.h): a uint32 length, then 12 bytes inline or a 4-byte prefix and a pointer. */
const STRING_T = 16;
/** The most bytes a duckdb_string_t holds inline. */
const INLINE = 12;

/**
 * VARCHAR: each row's string_t written at its push into one buffer, copied into the vector at once. A string of at
 * most 12 bytes of UTF-8 (most ids, names, labels) is written inline (duckdb_string_t's public layout, zero-padded
 * as DuckDB pads it). A longer one is encoded into the chunk's blob, after the others; the blob is handed to DuckDB
 * once a chunk (vector_assign_string_element_len copies it into the vector's own string heap, which lives as long as
 * the vector, and checks its UTF-8), and each long row's string_t points into that copy (its length, its first 4
 * bytes, the copy's address plus its offset). One binding call a string (N-API's string conversion each) was a
 * seventh of the sync's CPU time.
 */
class StringColumn extends MaskedColumn {
  private readonly entries = new Uint8Array(VECTOR_SIZE * STRING_T);
  private readonly view = new DataView(this.entries.buffer);
  /** Each row's start in the blob (bytes), or -1 for a NULL or inline row. */
  private readonly starts = new Int32Array(VECTOR_SIZE).fill(-1);
  private blob = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  push(value: unknown): void {
    const i = this.n++;
    if (value === null || value === undefined) {
      this.invalid(i);
      return;
    }
    const text = value as string;
    const at = i * STRING_T;
    if (text.length <= INLINE && writeInline(this.entries, this.view, at, text)) return;
    // At most 3 bytes of UTF-8 a UTF-16 code unit (a lone surrogate becomes U+FFFD, 3 bytes, as N-API writes it).
    const room = this.used + 3 * text.length;
    if (room > this.blob.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.blob.length, room));
      this.blob.copy(grown, 0, 0, this.used);
      this.blob = grown;
    }
    const blob = this.blob;
    const from = this.used;
    // utf8Write, which Buffer#write calls after checking its arguments: that check (hideStackFrames' wrapper)
    // allocates a rest-arguments array a call, ~37 MB of garbage and ~0.1 CPU-s of a 300K-event sync.
    const bytes = (blob as Utf8Writable).utf8Write(text, from, blob.length - from);
    this.view.setUint32(at, bytes, true);
    if (bytes <= INLINE) {
      // Not ASCII, but short in UTF-8: inline too (and not kept in the blob).
      for (let b = 0; b < bytes; b++) this.entries[at + 4 + b] = blob[from + b];
      return;
    }
    for (let b = 0; b < 4; b++) this.entries[at + 4 + b] = blob[from + b];
    this.starts[i] = from;
    this.used = from + bytes;
  }
  protected writeData(vector: duckdb.Vector, rows: number): void {
    const first = this.used === 0 ? -1 : this.starts.findIndex((s) => s >= 0);
    if (first >= 0) {
      duckdb.vector_assign_string_element_len(vector, first, this.blob.subarray(0, this.used));
      // The address of DuckDB's copy of the blob: the pointer of the string_t it wrote (its 8 bytes from byte 8, as
      // two little-endian 32-bit halves; a view or a copy of the vector's data alike: only read here).
      const data = duckdb.vector_get_data(vector, (first + 1) * STRING_T);
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const low = d.getUint32(first * STRING_T + 8, true);
      const high = d.getUint32(first * STRING_T + 12, true);
      for (let i = first; i < rows; i++) {
        const start = this.starts[i];
        if (start < 0) continue;
        const sum = low + start;
        this.view.setUint32(i * STRING_T + 8, sum >>> 0, true);
        this.view.setUint32(i * STRING_T + 12, (high + (sum >= 2 ** 32 ? 1 : 0)) >>> 0, true);
      }
    }
    duckdb.copy_data_to_vector(vector, 0, this.entries.buffer as ArrayBuffer, 0, rows * STRING_T);
    this.entries.fill(0, 0, rows * STRING_T);
    this.starts.fill(-1, 0, rows);
    this.used = 0;
  }
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

/** Any other type: the values as given, set through the node API's vector (slow, for older files only). */
class ValueColumn implements Column {
  private values: unknown[] = [];
  push(value: unknown): void {
    this.values.push(value);
  }
  write(chunk: DuckDBDataChunk, j: number, rows: number): void {
    const v = chunk.getColumnVector(j);
    for (let i = 0; i < rows; i++) v.setItem(i, (this.values[i] ?? null) as never);
    v.flush();
    this.values = [];
  }
}
