import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../pipelines/synthetic/seededRandom.ts';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('seededRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(take(seededRandom(42), 50)).toEqual(take(seededRandom(42), 50));
    expect(take(seededRandom(42), 50)).not.toEqual(take(seededRandom(43), 50));
  });

  it('stays in [0, 1) and spreads over it', () => {
    const xs = take(seededRandom(20261201), 10_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Ten equal buckets of 10,000 draws: each holds about 1,000; a biased generator leaves one far off.
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });
});
