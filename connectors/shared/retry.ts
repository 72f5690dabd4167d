import { isRetriable } from '../../schemas/errors.ts';
import { type BackoffOptions, backoffDelay } from './backoffDelay.ts';
import { type Clock, systemClock } from './systemClock.ts';

export interface RetryOptions {
  /** Retries after the first attempt (default unlimited: then `deadlineMs` bounds the loop). */
  readonly retries?: number;
  /** No wait may end later than this many ms after the first attempt started (default unlimited). */
  readonly deadlineMs?: number;
  /** Backoff between attempts (default 500 ms doubling to 30 s, half jitter). */
  readonly backoff?: BackoffOptions;
  /** The wait before retry `attempt` (1-based) after `error`, in ms; default backoffDelay(attempt, backoff). */
  readonly delayOf?: (attempt: number, error: unknown) => number;
  /** Whether `error` may pass on another try; default isRetriable (the error's own `retriable` flag). */
  readonly retriable?: (error: unknown) => boolean;
  /** Told before each wait. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Ends a wait at once (rejecting with the signal's reason); once aborted, a failure is thrown, not retried. */
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/**
 * Runs `attempt` (told its 1-based number) until it succeeds, it fails with an error that is not retriable, the
 * retries are spent or the next wait would pass the deadline; then throws that attempt's error. The one retry loop of
 * arboretum: LLM calls, Kafka admin calls and the like differ only in these options.
 */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  {
    retries = Number.POSITIVE_INFINITY,
    deadlineMs = Number.POSITIVE_INFINITY,
    backoff,
    delayOf = (n) => backoffDelay(n, backoff),
    retriable = isRetriable,
    onRetry,
    signal,
    clock = systemClock,
  }: RetryOptions = {},
): Promise<T> {
  const started = clock.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (signal?.aborted || !retriable(error) || n > retries) throw error;
      const delayMs = delayOf(n, error);
      if (clock.now() + delayMs - started > deadlineMs) throw error;
      onRetry?.({ attempt: n, delayMs, error });
      await clock.sleep(delayMs, signal);
    }
  }
}
