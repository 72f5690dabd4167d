import { once } from 'node:events';
import { jsonReplacer } from '../schemas/codec.ts';

/** Writes text to stdout, waiting when the pipe is full (so large reads do not buffer in memory). */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** One JSON line, Buffers as base64. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer)}\n`;
}

/** A plain text table with right-aligned numbers. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r, ri) =>
      r
        .map((c, i) =>
          ri > 0 && typeof rows[ri - 1][i] === 'number' ? c.padStart(widths[i]) : c.padEnd(widths[i]),
        )
        .join('  '),
    )
    .join('\n');
}
