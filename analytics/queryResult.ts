/** A query's answer: column names and rows of plain JS values (BIGINT as number when safe, else string). */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}
