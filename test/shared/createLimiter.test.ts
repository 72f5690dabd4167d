import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../connectors/shared/createLimiter.ts';

describe('createLimiter', () => {
  it('hands slots out in order and lets an aborted waiter leave the queue', async () => {
    const slots = createLimiter({ concurrency: 1 });
    const first = await slots.acquire();
    const quit = new AbortController();
    const leaving = slots.acquire(quit.signal);
    const staying = slots.acquire();
    expect(slots.waiting).toBe(2);
    quit.abort(new Error('stop'));
    await expect(leaving).rejects.toThrow('stop');
    expect(slots.waiting).toBe(1);
    first();
    first(); // a release is idempotent: the slot is not freed twice
    const second = await staying;
    expect(slots.active).toBe(1);
    second();
    expect(slots.active).toBe(0);
    await expect(slots.acquire(quit.signal)).rejects.toThrow('stop');
  });

  it('runs at most `concurrency` tasks at once, in arrival order, and frees the slot of a failing task', async () => {
    const limiter = createLimiter({ concurrency: 2 });
    const started: number[] = [];
    const finish: (() => void)[] = [];
    let peak = 0;
    const task = (i: number) =>
      limiter.run(async () => {
        started.push(i);
        peak = Math.max(peak, limiter.active);
        await new Promise<void>((r) => finish.push(r));
        if (i === 0) throw new Error('task 0 failed');
        return i;
      });
    const results = [0, 1, 2, 3].map((i) => task(i).catch((e: Error) => e.message));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.waiting).toBe(2);
    finish[0]();
    await results[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    for (const f of finish.slice(1)) f();
    await new Promise((r) => setImmediate(r));
    for (const f of finish.slice(3)) f();
    expect(await Promise.all(results)).toEqual(['task 0 failed', 1, 2, 3]);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('refuses a concurrency that is not a whole number >= 1', () => {
    expect(() => createLimiter({ concurrency: 0 })).toThrow(/concurrency must be a whole number >= 1, got 0/);
    expect(() => createLimiter({ concurrency: 1.5 })).toThrow(/got 1.5/);
  });
});
