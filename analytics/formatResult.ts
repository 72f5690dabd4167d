import { ArboretumError } from '../schemas/errors.ts';
import type { QueryResult } from './queryResult.ts';

export type ResultFormat = 'table' | 'csv' | 'json';

const cell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

const csvCell = (v: unknown): string => {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A query result as an aligned text table, RFC 4180 CSV (header first) or JSON lines (one object a row). */
export function formatResult(result: QueryResult, format: ResultFormat): string {
  const { columns, rows } = result;
  switch (format) {
    case 'csv':
      return `${[columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
    case 'json':
      return rows
        .map((r) => `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, r[i]])))}\n`)
        .join('');
    case 'table': {
      const text = rows.map((r) => r.map((v) => cell(v).replaceAll('\n', '\\n')));
      const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...text.map((r) => r[i].length))));
      const clip = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s);
      const line = (r: readonly string[], numeric: boolean[]) =>
        r
          .map((c, i) =>
            numeric[i] ? clip(c, widths[i]).padStart(widths[i]) : clip(c, widths[i]).padEnd(widths[i]),
          )
          .join('  ')
          .trimEnd();
      const numeric = columns.map(
        (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null),
      );
      return `${[
        line(
          columns,
          columns.map(() => false),
        ),
        line(
          widths.map((w) => '-'.repeat(w)),
          numeric,
        ),
        ...text.map((r) => line(r, numeric)),
      ].join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
    }
    default:
      throw new ArboretumError(
        'INVALID_INPUT',
        `--format ${JSON.stringify(format)} is not table, csv or json`,
      );
  }
}
