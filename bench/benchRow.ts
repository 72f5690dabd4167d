/**
 * One measured rate beside its in-run reference: the row of the machine-readable line each benchmark prints with
 * `--json` (bench/README.md, "The --json contract"), read by bench/run.ts.
 */
export interface BenchRow {
  /** What was measured, e.g. "export-pair" or "produce (append, idempotent, acks=all)". */
  readonly name: string;
  /** Median rate. */
  readonly rate: number;
  /** Its unit, e.g. "events/s", "events/CPU-s", "calls/s". */
  readonly unit: string;
  /** What it is compared with in the same run (raw avsc decode, raw appender, kcat, ideal call rate), or null. */
  readonly reference: string | null;
  /** The reference's rate in the same unit, or null. */
  readonly referenceRate: number | null;
  /** rate / referenceRate (or, for costs, reference cost / cost), or null without a reference. */
  readonly ratio: number | null;
  /** Optional target ratio from the issue (e.g. 0.5): the table marks rows below it. */
  readonly target?: number;
  /** Anything else worth a column (peak RSS, wall rate …): printed in the notes column. */
  readonly notes?: string;
}
