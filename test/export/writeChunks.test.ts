import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChunks } from '../../pipelines/export/writeChunks.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-writechunks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeChunks', () => {
  it('writes every chunk whole and in order, more chunks than one writev takes included', () => {
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 2600 }),
        fc.nat({ max: 16 }),
        (arrays, offset) => {
          const path = join(dir, `f${run++}`);
          // Chunks as subarrays of one larger buffer, as the sorter hands them over.
          const whole = Buffer.concat(arrays.map((a) => Buffer.from(a)));
          const backing = Buffer.concat([Buffer.alloc(offset, 0xff), whole]);
          const chunks: Buffer[] = [];
          let at = offset;
          for (const a of arrays) {
            chunks.push(backing.subarray(at, at + a.length));
            at += a.length;
          }
          const fd = openSync(path, 'w');
          writeChunks(fd, chunks);
          closeSync(fd);
          expect(readFileSync(path).equals(whole)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
