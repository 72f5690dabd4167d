/** Live counters of a grower, for the progress bar and the JSON progress lines. */
export interface GrowStats {
  /** Trees closed by this run, by outcome. */
  readonly solved: number;
  readonly exhausted: number;
  readonly failed: number;
  /** Trees being grown right now. */
  readonly open: number;
  /** Trees found already closed on the log and skipped. */
  readonly skipped: number;
  /** With retryFailed: trees reopened (TreeReopened appended), and those closed `failed` skipped as not reopenable. */
  readonly reopened: number;
  readonly notReopened: number;
  /** Pairs decided by this run (a correct and an incorrect valid action at the same turn; k-th with k-th). */
  readonly pairs: number;
  /** Per turn (index 0 = turn 1): valid actions graded and how many were correct. */
  readonly graded: readonly number[];
  readonly correct: readonly number[];
  /** LLM calls answered by this run (actions and critiques), their tokens, and actions re-asked after a restart. */
  readonly calls: number;
  readonly tokens: number;
  readonly reasked: number;
  /** Epoch ms the run started. */
  readonly startedAt: number;
}

export type MutableGrowStats = {
  -readonly [K in keyof GrowStats]: GrowStats[K] extends readonly number[] ? number[] : GrowStats[K];
};

/** Fresh counters. */
export const emptyGrowStats = (now: number): MutableGrowStats => ({
  solved: 0,
  exhausted: 0,
  failed: 0,
  open: 0,
  skipped: 0,
  reopened: 0,
  notReopened: 0,
  pairs: 0,
  graded: [],
  correct: [],
  calls: 0,
  tokens: 0,
  reasked: 0,
  startedAt: now,
});
