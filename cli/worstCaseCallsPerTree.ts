/** The settings the worst case depends on (a GrowConfig has them all). */
export interface CallBudgetSettings {
  readonly maxTurns: number;
  readonly resamples: number;
  readonly ladderRounds: number;
  readonly ladderSamples: number;
  readonly groundTruthAttempts: number;
  /** Per-tree call cap, or null/undefined for none. */
  readonly maxCallsPerTree?: number | null;
}

/**
 * LLM calls one tree may make at most (pure): every turn may miss and run the whole fallback — the pair (2), the
 * resamples, ladderRounds × ladderSamples up the ladder and the ground-truth attempts — and every turn but the last
 * may be expanded by one critique. A per-tree cap bounds it. (Critique re-asks of a critique gate, where the grower
 * has one, come on top until the cap.) Stand-in until the grower exports its own `worstCaseCallsPerTree(config)`.
 */
export function worstCaseCallsPerTree(s: CallBudgetSettings): {
  readonly calls: number;
  readonly perTurn: number;
  readonly uncapped: number;
} {
  const perTurn = 2 + s.resamples + s.ladderRounds * s.ladderSamples + s.groundTruthAttempts;
  const uncapped = s.maxTurns * perTurn + (s.maxTurns - 1);
  const cap = s.maxCallsPerTree ?? null;
  return { calls: cap === null ? uncapped : Math.min(cap, uncapped), perTurn, uncapped };
}
