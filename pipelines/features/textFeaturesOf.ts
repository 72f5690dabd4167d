/** Cheap features of one action's text (see textFeaturesOf). */
export interface TextFeatures {
  /** Distinct step numbers marked "Step N:" (in prose or a code comment). */
  readonly steps: number;
  /** Whether the text holds a fenced code block (```). */
  readonly hasCode: boolean;
  /** Length in UTF-16 code units (JavaScript's string length). */
  readonly chars: number;
  /** Word n-grams in the text, counted with repeats (the denominator of distinct-n). */
  readonly ngrams: number;
  /** The set of its word n-grams as 32-bit FNV-1a hashes, ascending and distinct (its n-gram signature). */
  readonly shingles: readonly number[];
}

/** Words per n-gram: 3-grams tell a reworded action from a copy where single words cannot. */
export const SHINGLE_WORDS = 3;

const fnv1a = (text: string) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/**
 * The one place action text features are computed (the analytics sink stores them per action, analytics'
 * action_diversity compares siblings by them). Words are runs of letters, digits and `_`, lowercased, so case,
 * spacing and punctuation never make two texts differ; a text of fewer than SHINGLE_WORDS words is one shingle of
 * all its words (none when empty). Collisions of the 32-bit hash are rare at action sizes (~1e-6 for 100 n-grams).
 */
export function textFeaturesOf(text: string): TextFeatures {
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
