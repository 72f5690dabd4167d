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

/** Runs up to `maxTrees` tree loops at once: `slot` waits for room, `drain` for every loop to end. */
export function createTreeScheduler({ maxTrees, grow, failed, stopped, open }: TreeSchedulerOptions) {
  const growing = new Set<string>();
  const running = new Set<Promise<void>>();
  let wake: (() => void) | null = null;
  return {
    has: (treeId: string) => growing.has(treeId),
    start(treeId: string, instruction: Instruction | null) {
      growing.add(treeId);
      open?.(1);
      const p = grow(treeId, instruction)
        .catch(failed)
        .finally(() => {
          growing.delete(treeId);
          open?.(-1);
          running.delete(p);
          wake?.();
        });
      running.add(p);
    },
    /** Resolves once a tree may start (or the run stopped). */
    async slot() {
      while (running.size >= maxTrees && !stopped()) await new Promise<void>((r) => (wake = r));
    },
    /** Wakes a waiting slot() (the run stopped). */
    wake: () => wake?.(),
    async drain() {
      while (running.size) await Promise.race(running);
    },
  };
}
