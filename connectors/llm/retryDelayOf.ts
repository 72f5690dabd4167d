/** Backoff settings: delay = min(maxMs, baseMs * 2^(attempt-1)) with full jitter, unless the server said when. */
export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** In [0, 1): where in the jitter range to land (default Math.random()). */
  readonly random?: number;
}

/**
 * How long to wait before retry number `attempt` (1-based), in ms. A server's `retry-after-ms` or `retry-after`
 * (seconds or an HTTP date) wins over the computed backoff, capped at `maxMs` * 4 so a bad header cannot stall forever.
 */
export function retryDelayOf(
  attempt: number,
  headers: { get(name: string): string | null } | undefined,
  { baseMs = 500, maxMs = 30_000, random = Math.random() }: BackoffOptions = {},
  now: number = Date.now(),
): number {
  const told = retryAfterMs(headers, now);
  if (told !== null) return Math.min(told, maxMs * 4);
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

function retryAfterMs(headers: { get(name: string): string | null } | undefined, now: number): number | null {
  if (!headers) return null;
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get('retry-after');
  if (after === null) return null;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}
