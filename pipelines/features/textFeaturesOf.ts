import { scanTextFeatures } from './scanTextFeatures.ts';

export { SHINGLE_WORDS } from './shingleWords.ts';

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

/**
 * The one definition of action text features (the analytics sink stores them per action, analytics'
 * action_diversity compares siblings by them). Words are runs of letters, digits and `_` (`[\p{L}\p{N}_]+`, by code
 * point) of the lowercased text, so case, spacing and punctuation never make two texts differ; an n-gram's hash is
 * FNV-1a over the UTF-16 code units of its words joined by one space; a text of fewer than SHINGLE_WORDS words is
 * one shingle of all its words (none when empty). Collisions of the 32-bit hash are rare at action sizes (~1e-6 for
 * 100 n-grams).
 *
 * Computed in one scan by scanTextFeatures (which the sink calls itself, copying its reused buffer into its
 * columns); this returns them as plain values.
 */
export function textFeaturesOf(text: string): TextFeatures {
  const f = scanTextFeatures(text);
  return {
    steps: f.steps,
    hasCode: f.hasCode,
    chars: f.chars,
    ngrams: f.ngrams,
    shingles: Array.from(f.shingles),
  };
}
