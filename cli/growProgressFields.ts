import type { LlmUsage } from '../connectors/llm/llmClient.ts';
import type { GrowStats } from '../pipelines/grow/growStats.ts';

/** One turn's pass rate: valid actions graded at that turn and how many were correct. */
export interface TurnPassRate {
  readonly turn: number;
  readonly graded: number;
  readonly correct: number;
  /** correct / graded in [0, 1], or null before any graded action. */
  readonly rate: number | null;
}

/**
 * What a grow progress line says (the JSON progress lines carry exactly this; grow --help documents each field).
 * Counts are of this run unless said otherwise; times in seconds, money in USD.
 */
export interface GrowProgressFields {
  /** Epoch ms of the reading. */
  readonly at: number;
  readonly elapsedS: number;
  /** Trees closed by this run (solved + exhausted + failed) plus those found already closed (skipped). */
  readonly done: number;
  /** Instructions known so far (the whole file once counted; else those read so far); null when none yet. */
  readonly total: number | null;
  /** True once `total` is the whole source (a file counted to its end). */
  readonly totalFinal: boolean;
  /** 100 × done / total, or null without a total. */
  readonly percent: number | null;
  /** Seconds left at this run's rate of closing trees, or null before the first tree closes or without a total. */
  readonly etaS: number | null;
  readonly open: number;
  readonly solved: number;
  readonly exhausted: number;
  readonly failed: number;
  readonly skipped: number;
  readonly pairs: number;
  readonly passRateByTurn: readonly TurnPassRate[];
  /** LLM calls answered, per second of elapsed time. */
  readonly calls: number;
  readonly callsPerS: number;
  readonly reasked: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly tokens: number;
  /** Estimated spend from the configured prices (0 without prices). */
  readonly costUsd: number;
  /** Attempts retried, attempts cut by the per-request timeout, calls that ended in a failure or an error. */
  readonly retries: number;
  readonly timeouts: number;
  readonly failedCalls: number;
}

/** The progress of a grow run (pure): the grower's counters and the LLM client's totals at `now` (epoch ms). */
export function growProgressFields(
  stats: GrowStats,
  usage: LlmUsage,
  now: number,
  known: { readonly total: number | null; readonly final: boolean },
): GrowProgressFields {
  const elapsedS = Math.max(0, (now - stats.startedAt) / 1000);
  const closedHere = stats.solved + stats.exhausted + stats.failed;
  const done = closedHere + stats.skipped;
  // Trees open now are instructions too, even when none came from the source yet (resumed from the log).
  const total =
    known.total === null && done + stats.open === 0 ? null : Math.max(known.total ?? 0, done + stats.open);
  const left = total === null ? null : Math.max(0, total - done);
  const etaS =
    left === null
      ? null
      : left === 0
        ? 0
        : closedHere > 0 && elapsedS > 0
          ? (left * elapsedS) / closedHere
          : null;
  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    at: now,
    elapsedS: round(elapsedS, 1),
    done,
    total,
    totalFinal: known.final,
    percent: total ? round((100 * done) / total, 1) : null,
    etaS: etaS === null ? null : Math.round(etaS),
    open: stats.open,
    solved: stats.solved,
    exhausted: stats.exhausted,
    failed: stats.failed,
    skipped: stats.skipped,
    pairs: stats.pairs,
    passRateByTurn: stats.graded.map((graded, i) => {
      const correct = stats.correct[i] ?? 0;
      return { turn: i + 1, graded, correct, rate: graded ? round(correct / graded, 3) : null };
    }),
    calls: stats.calls,
    callsPerS: elapsedS > 0 ? round(stats.calls / elapsedS, 2) : 0,
    reasked: stats.reasked,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    tokens: usage.promptTokens + usage.completionTokens,
    costUsd: round(usage.costUsd, 6),
    retries: usage.retries,
    timeouts: usage.timeouts,
    failedCalls: usage.failedCalls,
  };
}
