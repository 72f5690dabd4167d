import type { GrowConfig } from './growConfig.ts';

/**
 * The most LLM calls one tree can make under `config` (pure): per turn the pair and every fallback (resamples,
 * ladder rounds × samples, ground-truth attempts), and per expanded turn (all but the last) one critique plus its
 * re-asks by the critique gate; capped by maxCallsPerTree when set. Re-asks after a crash are not counted.
 */
export function worstCaseCallsPerTree(
  config: Pick<
    GrowConfig,
    | 'maxTurns'
    | 'resamples'
    | 'ladderRounds'
    | 'ladderSamples'
    | 'groundTruthAttempts'
    | 'criticReasks'
    | 'maxCallsPerTree'
  >,
): number {
  const perTurn =
    2 + config.resamples + config.ladderRounds * config.ladderSamples + config.groundTruthAttempts;
  const total = config.maxTurns * perTurn + (config.maxTurns - 1) * (1 + config.criticReasks);
  return config.maxCallsPerTree === null ? total : Math.min(total, config.maxCallsPerTree);
}
