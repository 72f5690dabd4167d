import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createByteSink } from '../../pipelines/export/byteSink.ts';

describe('createByteSink', () => {
  it('writes every byte in order; aligned, every write but the last flush is whole blocks of a page-aligned buffer', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 100, maxLength: 3000 })),
        ),
        fc.constantFrom(0, 256),
        fc.boolean(),
        (pieces, align, midFlush) => {
          const writes: { bytes: Uint8Array; length: number; copy: Buffer }[] = [];
          const sink = createByteSink({
            write: (bytes, length) =>
              writes.push({ bytes, length, copy: Buffer.from(bytes.subarray(0, length)) }),
            bufferBytes: 1024,
            align,
          });
          const flushesAt = new Set<number>();
          pieces.forEach((p, i) => {
            if (i % 2) sink.put(p);
            else sink.parts(p, 'x');
            if (midFlush && i === 3) {
              sink.flush();
              flushesAt.add(writes.length);
            }
          });
          sink.flush();
          const want = Buffer.concat(pieces.flatMap((p, i) => (i % 2 ? [p] : [p, Buffer.from('x')])));
          expect(Buffer.concat(writes.map((w) => w.copy))).toEqual(want);
          if (align) {
            writes.forEach((w, k) => {
              // The last write of each flush may be any length; the others are whole blocks from the buffer's start.
              if (k === writes.length - 1 || flushesAt.has(k + 1)) return;
              expect(w.length % align, `write ${k}`).toBe(0);
              expect(w.bytes.byteOffset % 4096).toBe(0);
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an alignment that does not divide its buffer', () => {
    expect(() => createByteSink({ write: () => {}, bufferBytes: 1000, align: 256 })).toThrow(/align 256/);
  });
});
