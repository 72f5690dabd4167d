import { type BackoffOptions, backoffDelay } from '../shared/backoffDelay.ts';

/**
 * How long to wait before retry number `attempt` (1-based), in ms: backoffDelay (half jitter by default). A server's `retry-after-ms` or `retry-after`
 * (seconds or an HTTP date) wins over the computed backoff, capped at `maxMs` * 4 so a bad header cannot stall forever.
 */
export function retryDelayOf(
  attempt: number,
  headers: { get(name: string): string | null } | undefined,
  backoff: BackoffOptions = {},
  now: number = Date.now(),
): number {
  const told = retryAfterMs(headers, now);
  if (told !== null) return Math.min(told, (backoff.maxMs ?? 30_000) * 4);
  return backoffDelay(attempt, backoff);
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
