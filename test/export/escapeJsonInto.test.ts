import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapedRoom, escapeJsonInto } from '../../pipelines/export/escapeJsonInto.ts';

describe('escapeJsonInto', () => {
  it("writes JSON.stringify's UTF-8 bytes, or says -1 (lone surrogates, U+FFFD), for any text", () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({
        unit: fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', 'é', 'a'),
      }),
    );
    let escaped = 0;
    fc.assert(
      fc.property(text, fc.nat(8), (t, at) => {
        const dst = Buffer.alloc(at + escapedRoom(t), 0xaa);
        const end = escapeJsonInto(t, dst, at);
        const want = Buffer.from(JSON.stringify(t));
        if (end === -1) {
          // Only when the UTF-8 of the text holds U+FFFD: a lone surrogate, or the character itself.
          expect(Buffer.from(t).includes(Buffer.from('\ufffd'))).toBe(true);
          return;
        }
        escaped++;
        expect(dst.subarray(at, end).equals(want)).toBe(true);
        expect(dst.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(escaped).toBeGreaterThan(1000);
  });
});
