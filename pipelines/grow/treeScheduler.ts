import { createLimiter } from '../../connectors/shared/createLimiter.ts';
import type { Instruction } from '../../schemas/types.ts';

export interface TreeSchedulerOptions {
  /** Trees grown at once. */
  readonly maxTrees: number;
  /** Grows one tree to its end (or the run's). */
  readonly grow: (treeId: string, instruction: Instruction | null) => Promise<void>;
  /** A tree's loop ended with this error. */
  readonly failed: (error: unknown) => void;
  readonly stopped: () => boolean;
  /** Trees being grown, +1 at start and -1 at the end. */
  readonly open?: (delta: 1 | -1) => void;
}

/**
 * Runs up to `maxTrees` tree loops at once: `slot` waits for room (a slot of the shared limiter, held until the
 * started tree's loop ends), `drain` for every loop to end.
 */
export function createTreeScheduler({ maxTrees, grow, failed, stopped, open }: TreeSchedulerOptions) {
  const growing = new Set<string>();
  const running = new Set<Promise<void>>();
  const limiter = createLimiter({ concurrency: maxTrees });
  // Aborted by wake(): a slot() waiting when the run stops returns without a slot (its caller checks the stop).
  const stop = new AbortController();
  let held: (() => void) | null = null;
  return {
    has: (treeId: string) => growing.has(treeId),
    start(treeId: string, instruction: Instruction | null) {
      const release = held;
      held = null;
      growing.add(treeId);
      open?.(1);
      const p = grow(treeId, instruction)
        .catch(failed)
        .finally(() => {
          growing.delete(treeId);
          open?.(-1);
          running.delete(p);
          release?.();
        });
      running.add(p);
    },
    /** Resolves once a tree may start (or the run stopped). */
    async slot() {
      if (held || stopped()) return;
      held = await limiter.acquire(stop.signal).catch(() => null);
    },
    /** Wakes a waiting slot() (the run stopped). */
    wake: () => stop.abort(),
    async drain() {
      while (running.size) await Promise.race(running);
    },
  };
}
