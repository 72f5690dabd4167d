import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsDb, openAnalyticsDb } from '../../analytics/openAnalyticsDb.ts';
import { createColumnarTable } from '../../pipelines/analyticsSink/columnarTable.ts';
import type { ColumnType } from '../../pipelines/analyticsSink/eventTable.ts';

let db: AnalyticsDb;
beforeAll(async () => {
  db = await openAnalyticsDb();
});
afterAll(() => db.close());

/** A fresh table of `columns` holding `rows` (each row's values in column order), written by createColumnarTable. */
async function writeTable(name: string, columns: [string, ColumnType][], rows: unknown[][]): Promise<void> {
  await db.connection.run(
    `CREATE OR REPLACE TABLE ${name} (${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`,
  );
  const table = await createColumnarTable(db.connection, name, columns);
  for (const r of rows) {
    for (let j = 0; j < r.length; j++) table.columns[j].push(r[j]);
    table.endRow();
  }
  table.flush();
  table.close();
}

// Strings at the inline limit (12 bytes) and past it, non-ASCII ones short in code units but long in UTF-8 (or short
// in both: inline), long texts of any script (in one blob a chunk, each row's string_t pointing into it), repeats,
// empty strings and NULLs.
const strings = fc.oneof(
  fc.constantFrom(
    '',
    'a',
    'abcdefghijkl',
    'abcdefghijklm',
    'é',
    'ééééééé',
    '𝐀𝐀𝐀',
    'x'.repeat(64),
    'chain-of-thought',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'grapheme', minLength: 4, maxLength: 400 }),
  fc.string({ minLength: 13, maxLength: 2000 }),
  fc.constant(null),
);
const lists = fc.oneof(
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 70 }),
);

describe('createColumnarTable', () => {
  it('stores strings, numbers and UINTEGER lists as given, across chunks; DuckDB compares them as its own', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(strings, strings, fc.option(fc.integer()), fc.option(fc.maxSafeInteger()), lists), {
          minLength: 1,
          maxLength: 5000,
        }),
        async (rows) => {
          await writeTable(
            'ct',
            [
              ['i', 'INTEGER'],
              ['s', 'VARCHAR'],
              ['t', 'VARCHAR'],
              ['n', 'INTEGER'],
              ['b', 'BIGINT'],
              ['l', 'UINTEGER[]'],
            ],
            rows.map((r, i) => [i, ...r]),
          );
          const back = (
            await db.connection.runAndReadAll('SELECT s, t, n, b, l FROM ct ORDER BY i')
          ).getRowsJS();
          expect(back).toEqual(rows.map(([s, t, n, b, l]) => [s, t, n, b === null ? null : BigInt(b), l]));
          // Equality, hashing and ordering of the inline and shared strings agree with strings DuckDB made itself.
          const [[same, groups, distinct]] = (
            await db.connection.runAndReadAll(
              `SELECT count(*) FILTER (s = t::VARCHAR || ''), (SELECT count(*) FROM (SELECT s FROM ct GROUP BY s)),
                      (SELECT count(DISTINCT s || '') FROM ct) + (SELECT count(*) > 0 FROM ct WHERE s IS NULL)::INTEGER
               FROM ct`,
            )
          ).getRowsJS();
          expect(Number(same)).toBe(rows.filter(([s, t]) => s !== null && s === t).length);
          expect(Number(groups)).toBe(new Set(rows.map(([s]) => s)).size);
          expect(Number(distinct)).toBe(new Set(rows.map(([s]) => s)).size);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("writes by name: the table's own column order, NULL in columns it is not given (any type), across chunks", async () => {
    await db.connection.run(
      `CREATE OR REPLACE TABLE cu (extra_list UINTEGER[], d DOUBLE, extra_time TIMESTAMP, s VARCHAR, b BOOLEAN,
                                   extra_s VARCHAR, i INTEGER)`,
    );
    const table = await createColumnarTable(db.connection, 'cu', [
      ['i', 'INTEGER'],
      ['b', 'BOOLEAN'],
      ['s', 'VARCHAR'],
      ['d', 'DOUBLE'],
    ]);
    const rows = Array.from({ length: 4500 }, (_, i) => [
      i,
      i % 3 === 0 ? null : i % 2 === 0,
      i % 5 === 0 ? null : `row ${i} ${'é'.repeat(i % 17)}`,
      i % 7 === 0 ? null : i / 8,
    ]);
    for (const r of rows) {
      for (let j = 0; j < r.length; j++) table.columns[j].push(r[j]);
      table.endRow();
    }
    table.flush();
    table.close();
    const back = (
      await db.connection.runAndReadAll(
        'SELECT i, b, s, d, extra_list, extra_time, extra_s FROM cu ORDER BY i',
      )
    ).getRowsJS();
    expect(back).toEqual(rows.map((r) => [...r, null, null, null]));
  });

  it('keeps each chunk its own NULLs: a chunk without any after one with them, then one with them again', async () => {
    // The writer reuses one DuckDB data chunk (reset between chunks): no validity, string or list may carry over.
    // Chunks of 2,048 rows: NULLs in every column in the first and third, none in the second; a short fourth.
    const withNulls = (i: number) => Math.floor(i / 2048) % 2 === 0 && i % 3 === 0;
    const rows = Array.from({ length: 3 * 2048 + 100 }, (_, i) =>
      withNulls(i)
        ? [i, null, null, null, null, null, null]
        : [i, `text ${i} ${'ü'.repeat(i % 13)}`, -i, i * 1000, [i, i + 1], i % 2 === 0, i / 4],
    );
    await writeTable(
      'cn',
      [
        ['i', 'INTEGER'],
        ['s', 'VARCHAR'],
        ['n', 'INTEGER'],
        ['b', 'BIGINT'],
        ['l', 'UINTEGER[]'],
        ['f', 'BOOLEAN'],
        ['d', 'DOUBLE'],
      ],
      rows,
    );
    const back = (
      await db.connection.runAndReadAll('SELECT i, s, n, b, l, f, d FROM cn ORDER BY i')
    ).getRowsJS();
    expect(back).toEqual(rows.map((r) => r.map((v, j) => (j === 3 && v !== null ? BigInt(v as number) : v))));
  });
});
