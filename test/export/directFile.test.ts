import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createByteSink } from '../../pipelines/export/byteSink.ts';
import { createDirectFile, DIRECT_ALIGN } from '../../pipelines/export/directFile.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'arboretum-direct-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createDirectFile', () => {
  it('holds exactly the bytes written, whole pages from an aligned buffer or anything else in between', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 3 * DIRECT_ALIGN }), { maxLength: 12 }),
        async (pieces) => {
          const path = join(dir, `f${run++}`);
          const file = createDirectFile(path);
          // Whole pages through an aligned sink, pieces of any length and offset written straight between.
          const sink = createByteSink({
            write: (bytes, length) => file.write(bytes, length),
            bufferBytes: 2 * DIRECT_ALIGN,
            align: DIRECT_ALIGN,
          });
          pieces.forEach((p, i) => {
            if (i % 3 === 2) {
              sink.flush();
              file.write(p.subarray(1), Math.max(0, p.length - 1));
            } else sink.put(p);
          });
          sink.flush();
          file.close();
          const want = Buffer.concat(pieces.map((p, i) => (i % 3 === 2 ? p.subarray(1) : p)));
          expect(await readFile(path)).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('replaces what the file held', async () => {
    const path = join(dir, 'old');
    for (const bytes of [Buffer.alloc(3 * DIRECT_ALIGN, 1), Buffer.from('short')]) {
      const file = createDirectFile(path);
      file.write(bytes, bytes.length);
      file.close();
      expect(await readFile(path)).toEqual(bytes);
    }
  });
});
