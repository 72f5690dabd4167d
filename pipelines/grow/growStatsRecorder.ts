import type { ChatResult } from '../../connectors/llm/llmClient.ts';
import type { Outcome } from '../../schemas/types.ts';
import { isValidAction } from '../assemble/isValidAction.ts';
import { emptyGrowStats, type GrowStats } from './growStats.ts';
import type { GrowTree } from './growTree.ts';

/** The grower's counters and the events that move them (the interpreter reports, the progress line reads). */
export interface GrowStatsRecorder {
  /** An LLM call answered (actions and critiques); `reasked`: an intent another run logged. */
  answered(result: ChatResult, reasked: boolean): void;
  /** An action judged; only valid ones count for the pass rate. */
  judged(turn: number, valid: boolean, correct: boolean): void;
  /** A turn is decided (its incorrect action expanded, or the tree closes): count its pairs, k-th with k-th. */
  turnDecided(tree: GrowTree, parentId: string | null, turn: number): void;
  closed(outcome: Outcome): void;
  /** A tree found closed was skipped; `failedWithRows`: closed failed, not reopenable under retryFailed. */
  skipped(failedWithRows?: boolean): void;
  reopened(): void;
  opened(delta: 1 | -1): void;
  snapshot(): GrowStats;
}

export function createGrowStatsRecorder(now: number): GrowStatsRecorder {
  const stats = emptyGrowStats(now);
  return {
    answered(result, reasked) {
      stats.calls++;
      stats.tokens += result.promptTokens + result.completionTokens;
      if (reasked) stats.reasked++;
    },
    judged(turn, valid, correct) {
      if (!valid) return;
      stats.graded[turn - 1] = (stats.graded[turn - 1] ?? 0) + 1;
      if (correct) stats.correct[turn - 1] = (stats.correct[turn - 1] ?? 0) + 1;
    },
    turnDecided(tree, parentId, turn) {
      let valid = 0;
      let correct = 0;
      for (const n of tree.nodes.values()) {
        if (n.sampled?.parentId !== parentId || n.sampled.turn !== turn || !isValidAction(n)) continue;
        valid++;
        if (n.verdict.correct) correct++;
      }
      stats.pairs += Math.min(correct, valid - correct);
    },
    closed(outcome) {
      stats[outcome]++;
    },
    skipped(failedWithRows = false) {
      stats.skipped++;
      if (failedWithRows) stats.notReopened++;
    },
    reopened() {
      stats.reopened++;
    },
    opened(delta) {
      stats.open += delta;
    },
    snapshot: () => ({ ...stats, graded: [...stats.graded], correct: [...stats.correct] }),
  };
}
