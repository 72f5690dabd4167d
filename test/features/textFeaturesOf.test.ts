import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHINGLE_WORDS, textFeaturesOf } from '../../pipelines/features/textFeaturesOf.ts';
import { syntheticTreeEvents } from '../../pipelines/synthetic/syntheticTrees.ts';

// The definition textFeaturesOf implements in one scan, written the plain way: lowercase, words by regex, n-grams
// joined by a space and hashed with FNV-1a, the distinct hashes ascending. The stored features must not change.
const fnv1a = (text: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};
function definition(text: string) {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const grams: number[] = [];
  if (words.length > 0 && words.length < SHINGLE_WORDS) grams.push(fnv1a(words.join(' ')));
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++)
    grams.push(fnv1a(words.slice(i, i + SHINGLE_WORDS).join(' ')));
  const steps = new Set<string>();
  for (const m of text.matchAll(/\bstep\s+(\d+)\s*:/gi)) steps.add(m[1]);
  return {
    steps: steps.size,
    hasCode: text.includes('```'),
    chars: text.length,
    ngrams: grams.length,
    shingles: [...new Set(grams)].sort((a, b) => a - b),
  };
}

// Pieces that stress the word scan: other scripts' letters and digits, astral letters (𝐀, 𠀀) and symbols (😀),
// lone surrogates, case mappings that change length (İ), punctuation, code fences and "Step N:" markers.
const pieces = [
  'a',
  'Z',
  '_',
  '7',
  ' ',
  '\n',
  '\t',
  '.',
  ',',
  '-',
  "'",
  '```',
  'Step 2:',
  'STEP 10 :',
  'step',
  'ß',
  'İ',
  'Σ',
  'é',
  'e\u0301',
  'ж',
  'Ж',
  'ق',
  '٣',
  '三',
  '१',
  '𝐀',
  '𠀀',
  '😀',
  '\ud800',
  '\udc00',
  '\u00a0',
  'ǅ',
  'Ⅻ',
  'x²',
  ':',
  ' : ',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u180e',
  'sTeP\t3',
  '05:',
  'xstep 4:',
  'steps 5:',
  '0',
];

describe('textFeaturesOf', () => {
  it('equals its definition on texts of words, scripts, surrogates and markers', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expect(textFeaturesOf(text)).toEqual(definition(text));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(textFeaturesOf(text)).toEqual(definition(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('equals its definition on synthetic actions, long ones included', () => {
    let checked = 0;
    for (const e of syntheticTreeEvents({ trees: 40, seed: 7, actionBytes: [10, 5000] }))
      if (e.payload.kind === 'TurnExecuted') {
        expect(textFeaturesOf(e.payload.action)).toEqual(definition(e.payload.action));
        checked++;
      }
    expect(checked).toBeGreaterThan(100);
  });
});
