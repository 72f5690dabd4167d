import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';

/** Where a record sorts: tree, then turn, then row id, then the record's index within its row. */
export interface SortKey {
  readonly tree: string;
  readonly turn: number;
  readonly id: string;
}

/** Counts of the distinct exported records, per task, per dataset and per turn. */
export interface RowCounts {
  readonly total: number;
  readonly byTask: readonly (readonly [string, number])[];
  readonly byDataset: readonly (readonly [string, number])[];
  readonly byTurn: readonly (readonly [number, number])[];
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ORDER = 'tree, turn, id, sub';
const DISTINCT = `SELECT DISTINCT ON (${ORDER}) * FROM`;

/**
 * Records as JSON lines, held in a DuckDB table (spilling to disk past DuckDB's memory limit) so that they can be
 * written in one canonical order whatever order the log delivered the trees in: that is what makes an export
 * byte-identical on either backend and after any replay. Repeated (key, index) pairs are written once.
 */
export interface SortedRows {
  /** Adds the JSON lines of one row. */
  add(key: SortKey, task: string, dataset: string, lines: readonly string[]): void;
  /** Ends adding; call once before writing. */
  seal(): void;
  /** Writes the lines in canonical order to `path` (through a temporary file, renamed at the end); the count. */
  writeJsonl(path: string): Promise<number>;
  /** Writes the records in canonical order as Parquet with the columns of `structure` (DuckDB from_json). */
  writeParquet(path: string, structure: string): Promise<number>;
  /** Counts of the distinct records per task, dataset and turn, each sorted by its value. */
  counts(): Promise<RowCounts>;
  /** Drops the table. */
  drop(): Promise<void>;
}

/** A new empty row table named `table` on a DuckDB connection. */
export async function createSortedRows({
  connection,
  table,
}: {
  readonly connection: DuckDBConnection;
  readonly table: string;
}): Promise<SortedRows> {
  await connection.run(
    `CREATE OR REPLACE TABLE ${table} (tree VARCHAR, turn INTEGER, id VARCHAR, sub INTEGER, task VARCHAR, dataset VARCHAR, line VARCHAR)`,
  );
  const a = await connection.createAppender(table);
  const distinct = `(${DISTINCT} ${table})`;
  return {
    add(key, task, dataset, lines) {
      for (let sub = 0; sub < lines.length; sub++) {
        a.appendVarchar(key.tree);
        a.appendInteger(key.turn);
        a.appendVarchar(key.id);
        a.appendInteger(sub);
        a.appendVarchar(task);
        a.appendVarchar(dataset);
        a.appendVarchar(lines[sub]);
        a.endRow();
      }
    },
    seal() {
      a.flushSync();
      a.closeSync();
    },
    async writeJsonl(path) {
      const tmp = `${path}.tmp-${process.pid}`;
      const out = createWriteStream(tmp);
      let n = 0;
      try {
        const result = await connection.stream(`SELECT line FROM ${distinct} ORDER BY ${ORDER}`);
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const lines = chunk.getColumnValues(0) as string[];
          n += lines.length;
          if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'finish');
        await rename(tmp, path);
        return n;
      } catch (e) {
        out.destroy();
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async writeParquet(path, structure) {
      const tmp = `${path}.tmp-${process.pid}`;
      try {
        await connection.run(
          `COPY (SELECT s.* FROM (SELECT from_json(line, ${quote(structure)}) AS s FROM ${distinct} ORDER BY ${ORDER})) TO ${quote(tmp)} (FORMAT parquet)`,
        );
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      const counted = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM ${distinct}`);
      return counted.getRows()[0][0] as number;
    },
    async counts() {
      const rows = async (column: string) =>
        (
          await connection.runAndReadAll(
            `SELECT ${column}, count(*)::INTEGER FROM ${distinct} GROUP BY ALL ORDER BY 1`,
          )
        ).getRows() as [never, number][];
      const byTask = await rows('task');
      return {
        total: byTask.reduce((s, [, n]) => s + n, 0),
        byTask,
        byDataset: await rows('dataset'),
        byTurn: await rows('turn'),
      };
    },
    async drop() {
      await connection.run(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}
