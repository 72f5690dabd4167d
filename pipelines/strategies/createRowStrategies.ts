import type { TreeEvent } from '../../schemas/types.ts';
import type { Assembled } from '../assemble/assembled.ts';
import { createOpenTrees } from '../export/createOpenTrees.ts';

/** The strategy of each exported row's action, as the log's StrategySampled tells it (export --strategy, the card). */
export interface RowStrategies {
  /** Takes note of an event; call it for every tree event, in log order, before the rows it decides. */
  observe(event: TreeEvent): void;
  /**
   * The strategy a row is filed under: its action's (SFT, KTO), the chosen action's for a pair (what a trainer
   * learns to write); `unknown` when the log has no StrategySampled for it.
   */
  strategyOf(a: Assembled): string;
  /** True when the row's strategy is one of `only` (every row without `only`); counts the kept row in the mix. */
  keeps(a: Assembled): boolean;
  /** Kept rows of a kind (sft, pair, rm) by strategy, most first. */
  mix(kind: Assembled['kind']): readonly (readonly [string, number])[];
}

/**
 * Remembers each sampled action's strategy per open tree (export's createOpenTrees).
 */
export function createRowStrategies(only?: readonly string[]): RowStrategies {
  const trees = createOpenTrees(() => new Map<string, string>());
  const counts = new Map<Assembled['kind'], Map<string, number>>();
  const wanted = only?.length ? new Set(only) : null;
  const strategyOf = (a: Assembled) =>
    trees.get(a.row.treeId)?.get(a.kind === 'sft' ? a.row.nodeId : a.row.chosenNodeId) ?? 'unknown';
  return {
    observe(event) {
      trees.observe(event);
      const p = event.payload;
      if (p.kind === 'StrategySampled') trees.of(event.treeId).set(p.nodeId, p.strategy);
    },
    strategyOf,
    keeps(a) {
      const s = strategyOf(a);
      if (wanted && !wanted.has(s)) return false;
      const byStrategy = counts.get(a.kind) ?? new Map<string, number>();
      counts.set(a.kind, byStrategy);
      byStrategy.set(s, (byStrategy.get(s) ?? 0) + 1);
      return true;
    },
    mix: (kind) =>
      [...(counts.get(kind) ?? new Map<string, number>()).entries()].sort(
        (x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0),
      ),
  };
}
