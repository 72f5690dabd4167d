import { type DuckDBResultReader, DuckDBTypeId } from '@duckdb/node-api';
import { plainValue } from './plainValue.ts';
import type { QueryResult } from './queryResult.ts';

/** A DuckDB result read in full as plain column names and rows. */
export function queryResultOf(reader: DuckDBResultReader): QueryResult {
  // MAPs come as [{key, value}]; as plain objects they read better in JSON and in the report.
  const maps = reader.columnTypes().map((t) => t.typeId === DuckDBTypeId.MAP);
  return {
    columns: reader.columnNames(),
    rows: reader
      .getRowsJS()
      .map((r) =>
        r.map((v, i) =>
          maps[i] && Array.isArray(v)
            ? Object.fromEntries(v.map((e) => [String((e as any).key), plainValue((e as any).value)]))
            : plainValue(v),
        ),
      ),
  };
}
