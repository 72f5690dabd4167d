import type { BenchRow } from './benchRow.ts';

/**
 * Prints a benchmark's final machine-readable line, `{"bench":…,"rows":[…]}` (bench/README.md), when the process was
 * started with `--json`; a benchmark that cannot run here (no broker, no model) passes `skipped` with the reason.
 */
export function printBenchJson(bench: string, rows: readonly BenchRow[], skipped?: string): void {
  if (!process.argv.includes('--json')) return;
  console.log(JSON.stringify(skipped === undefined ? { bench, rows } : { bench, rows, skipped }));
}
