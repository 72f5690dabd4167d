import { abortableDelay } from './abortableDelay.ts';

/**
 * Time as retry and rate-limit code sees it: the present in epoch ms, and a wait that an abort ends at once. Tests pass
 * a clock of their own so no assertion depends on how fast a loaded machine runs.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason the moment it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock: Date.now and timers. */
export const systemClock: Clock = { now: () => Date.now(), sleep: abortableDelay };
