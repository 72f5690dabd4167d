import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../pipelines/assemble/assemble.ts';
import type { Assembled } from '../../pipelines/assemble/assembled.ts';
import type { TreeEvent } from '../../schemas/types.ts';
import { growLogArb, logArb } from './randomTrees.ts';

const run = (log: readonly TreeEvent[], kinds?: Assembled['kind'][]) =>
  lastValueFrom(from(log).pipe(assemble(kinds ? { kinds } : {}), toArray()));

describe('assemble({ kinds })', () => {
  it('gives the rows of those kinds that assemble() gives, in the same order, and no other', async () => {
    const seen = new Set<string>();
    for (const arb of [logArb, growLogArb]) {
      await fc.assert(
        fc.asyncProperty(
          arb,
          fc.subarray(['pair', 'sft', 'rm'] as Assembled['kind'][]),
          async ({ log }, kinds) => {
            const all = await run(log);
            for (const a of all) seen.add(a.kind);
            expect(await run(log, kinds)).toEqual(all.filter((a) => kinds.includes(a.kind)));
          },
        ),
        { numRuns: 150 },
      );
    }
    expect([...seen].sort()).toEqual(['pair', 'rm', 'sft']);
  });
});
