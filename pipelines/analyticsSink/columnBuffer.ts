/**
 * One column of a ColumnarTable's rows in the making: push each row's value (null for NULL) in row order. It keeps
 * the value as DuckDB will store it (a string's UTF-8, a number in a typed array), not the JavaScript value, so the
 * decoded events the values come from die young (see columnarTable).
 */
export interface ColumnBuffer {
  push(value: unknown): void;
}
