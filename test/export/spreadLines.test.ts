import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spreadLines } from '../../pipelines/export/spreadLines.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-spread-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('spreadLines', () => {
  it('keeps every line, and rows of one group at least the reported gap apart, which is at least ⌈N/W⌉ − 2', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 80 }),
        async (sizes) => {
          const src = join(dir, `src-${run}`);
          const dst = join(dir, `dst-${run++}`);
          const lines = sizes.flatMap((g, group) =>
            Array.from({ length: g }, (_, k) => `{"g":${group},"k":${k}}`),
          );
          await writeFile(src, lines.map((l) => `${l}\n`).join(''));
          const spread = await spreadLines(src, dst, Int32Array.from(sizes));
          const out = (await readFile(dst, 'utf8')).split('\n').slice(0, -1);
          expect([...out].sort()).toEqual([...lines].sort());
          // The true least distance between two rows of one group, measured on the output.
          const seen = new Map<number, number[]>();
          out.forEach((l, i) => {
            const g = JSON.parse(l).g;
            seen.set(g, [...(seen.get(g) ?? []), i]);
          });
          let least = Number.POSITIVE_INFINITY;
          for (const at of seen.values())
            for (let i = 1; i < at.length; i++) least = Math.min(least, at[i] - at[i - 1]);
          expect(spread.minGap).toBe(least);
          expect(spread.width).toBe(Math.max(...sizes));
          if (Number.isFinite(least))
            expect(least).toBeGreaterThanOrEqual(Math.ceil(lines.length / spread.width) - 2);
        },
      ),
      { numRuns: 150 },
    );
  });
});
