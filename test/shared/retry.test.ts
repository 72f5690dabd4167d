import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../connectors/shared/backoffDelay.ts';
import { retry } from '../../connectors/shared/retry.ts';
import type { Clock } from '../../connectors/shared/systemClock.ts';
import { ArboretumError } from '../../schemas/errors.ts';

/** A clock whose sleeps advance time at once and are recorded: no test here waits on the wall clock. */
const fakeClock = () => {
  const sleeps: number[] = [];
  let t = 1_000;
  const clock: Clock = {
    now: () => t,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      t += ms;
    },
  };
  return { clock, sleeps };
};
const flaky = (failures: number, error: () => unknown) => {
  let calls = 0;
  return async (n: number) => {
    calls++;
    expect(n).toBe(calls);
    if (calls <= failures) throw error();
    return `ok after ${calls}`;
  };
};
const retriable = () => new ArboretumError('LOG_UNAVAILABLE', 'broker restarting', { retriable: true });

describe('retry', () => {
  it('retries a retriable failure with doubling waits up to the cap', async () => {
    const { clock, sleeps } = fakeClock();
    const told: number[] = [];
    const out = await retry(flaky(5, retriable), {
      backoff: { baseMs: 50, maxMs: 300, jitter: 0 },
      onRetry: ({ attempt }) => told.push(attempt),
      clock,
    });
    expect(out).toBe('ok after 6');
    expect(sleeps).toEqual([50, 100, 200, 300, 300]);
    expect(told).toEqual([1, 2, 3, 4, 5]);
  });

  it('throws at once an error that is not retriable (an ArboretumError without the flag, a plain Error)', async () => {
    const { clock, sleeps } = fakeClock();
    await expect(
      retry(
        flaky(1, () => new ArboretumError('INVALID_INPUT', 'bad row')),
        { clock },
      ),
    ).rejects.toThrow('bad row');
    await expect(
      retry(
        flaky(1, () => new Error('boom')),
        { clock },
      ),
    ).rejects.toThrow('boom');
    expect(sleeps).toEqual([]);
  });

  it('stops after `retries` retries and throws the last error', async () => {
    const { clock, sleeps } = fakeClock();
    let n = 0;
    const e = retry(
      async () => {
        n++;
        throw new ArboretumError('LLM_FAILED', `attempt ${n}`, { retriable: true });
      },
      { retries: 2, backoff: { baseMs: 10, jitter: 0 }, clock },
    );
    await expect(e).rejects.toThrow('attempt 3');
    expect(sleeps).toEqual([10, 20]);
  });

  it('gives up rather than wait past the deadline', async () => {
    const { clock, sleeps } = fakeClock();
    await expect(
      retry(flaky(100, retriable), {
        deadlineMs: 1_000,
        backoff: { baseMs: 100, maxMs: 400, jitter: 0 },
        clock,
      }),
    ).rejects.toThrow('broker restarting');
    // 100 + 200 + 400 = 700 ms waited; another 400 would end at 1100 > 1000.
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('does not retry once the signal aborted, and a wait ends with the abort', async () => {
    const { clock, sleeps } = fakeClock();
    const stop = new AbortController();
    stop.abort(new Error('stopping'));
    await expect(retry(flaky(1, retriable), { signal: stop.signal, clock })).rejects.toThrow(
      'broker restarting',
    );
    expect(sleeps).toEqual([]);
  });

  it('takes its wait from delayOf when given (a server said when)', async () => {
    const { clock, sleeps } = fakeClock();
    await retry(flaky(2, retriable), { delayOf: (n) => n * 7, clock });
    expect(sleeps).toEqual([7, 14]);
  });
});

describe('backoffDelay', () => {
  it('lands in [ceiling * (1 - jitter), ceiling]', () => {
    expect(backoffDelay(1, { baseMs: 100, random: 0 })).toBe(50);
    expect(backoffDelay(3, { baseMs: 100, random: 0.999 })).toBe(400);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 1000, random: 0.5 })).toBe(750);
    expect(backoffDelay(2, { baseMs: 50, jitter: 0, random: 0.9 })).toBe(100);
  });
});
