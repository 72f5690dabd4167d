import { abortableDelay } from '../shared/abortableDelay.ts';

/** Requests- and tokens-per-minute limits of one endpoint. */
export interface RateLimiter {
  /** Waits until one more request fits in both budgets; rejects at once when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Debits the tokens a finished request used. */
  spend(tokens: number): void;
  /** Time until one more request fits, in ms (0 = now). Pure read. */
  waitMs(now?: number): number;
}

export interface RateLimiterOptions {
  /** Requests per minute; 0 or undefined = unlimited. */
  readonly rpm?: number;
  /** Tokens per minute (prompt + completion); 0 or undefined = unlimited. */
  readonly tpm?: number;
  readonly now?: () => number;
}

/**
 * Two token buckets refilled continuously (full bucket = one minute's allowance). A request takes one request token;
 * tokens are debited after the fact (the count is only known then), so the token bucket may go negative and then holds
 * new requests back until it refills.
 */
export function createRateLimiter({
  rpm = 0,
  tpm = 0,
  now = Date.now,
}: RateLimiterOptions = {}): RateLimiter {
  let requests = rpm;
  let tokens = tpm;
  let last = now();
  const refill = (t: number) => {
    const dt = Math.max(0, t - last);
    last = t;
    if (rpm > 0) requests = Math.min(rpm, requests + (dt * rpm) / 60_000);
    if (tpm > 0) tokens = Math.min(tpm, tokens + (dt * tpm) / 60_000);
  };
  const waitMs = (t = now()) => {
    refill(t);
    let wait = 0;
    if (rpm > 0 && requests < 1) wait = Math.max(wait, ((1 - requests) * 60_000) / rpm);
    if (tpm > 0 && tokens <= 0) wait = Math.max(wait, ((1 - tokens) * 60_000) / tpm);
    return Math.ceil(wait);
  };
  return {
    waitMs,
    async acquire(signal) {
      for (;;) {
        signal?.throwIfAborted();
        const wait = waitMs();
        if (wait === 0) {
          if (rpm > 0) requests -= 1;
          return;
        }
        await abortableDelay(wait, signal);
      }
    },
    spend(n) {
      if (tpm > 0) tokens -= n;
    },
  };
}
