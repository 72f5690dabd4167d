/** Exponential backoff: the ceiling of retry `attempt` is min(maxMs, baseMs * 2^(attempt-1)), in ms. */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /**
   * Share of the ceiling that is random, in [0, 1]: 0 waits the ceiling exactly, 0.5 lands in [ceiling/2, ceiling]
   * (so many clients that failed together do not come back together). Default 0.5.
   */
  readonly jitter?: number;
  /** In [0, 1): where in the jitter range to land (default Math.random()). */
  readonly random?: number;
}

/** How long to wait before retry number `attempt` (1-based), in ms. */
export function backoffDelay(
  attempt: number,
  { baseMs = 500, maxMs = 30_000, jitter = 0.5, random = Math.random() }: BackoffOptions = {},
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling * (1 - jitter) + random * ceiling * jitter);
}
