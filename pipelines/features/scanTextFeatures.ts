import { SHINGLE_WORDS } from './shingleWords.ts';

/**
 * The features textFeaturesOf returns, as scanTextFeatures leaves them: one object refilled by each call, its
 * shingles a view of a reused buffer (valid until the next call). The sink copies them into its columns at once.
 */
export interface ScannedTextFeatures {
  steps: number;
  hasCode: boolean;
  chars: number;
  ngrams: number;
  /** The distinct n-gram hashes, ascending. */
  shingles: Uint32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 0x20;
const NOT_ASCII = /[^\x00-\x7f]/;
const STEP = /step/i;
/** A "Step N:" marker (any case), N captured. Global: stepsOf resets lastIndex before each use. */
const STEP_N = /\bstep\s+(\d+)\s*:/gi;

/** A character outside ASCII is a word character when it is a letter or a digit of any script (or `_`). */
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
/** Of each BMP code unit outside ASCII: 0 not looked at yet, 1 a word character, 2 not (astral ones are tested). */
const bmpClass = new Uint8Array(0x10000);

/** Of each ASCII code unit: its lowercase when it is a word character (a-z, A-Z, 0-9, `_`), else 0. */
const ASCII_WORD = new Uint16Array(0x80);
for (let c = 0; c < 0x80; c++)
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) ASCII_WORD[c] = c;
  else if (c >= 0x41 && c <= 0x5a) ASCII_WORD[c] = c + 0x20;

// Reused across calls (grown on demand): the n-grams' hashes, and the object each call refills.
let hashes = new Uint32Array(256);
const scanned: ScannedTextFeatures = { steps: 0, hasCode: false, chars: 0, ngrams: 0, shingles: hashes };

/**
 * textFeaturesOf's features (its definition: pipelines/features/textFeaturesOf.ts) in one scan of the text, without
 * building any array of JavaScript numbers: the sink copies the shingles straight from the returned view into its
 * list column.
 *
 * FNV-1a cannot be combined from pieces, so each n-gram's hash still runs over every code unit of its words (three
 * times a unit for 3-grams), but in the scan itself: the hashes of the n-grams begun at the current word and the two
 * before it advance together with each code unit, and the oldest is complete at the end of each word. No copy of
 * the words' code units and no second pass over them (the two-pass version spent ~0.6 CPU-s of a 300K-event sync
 * here, with the number[] of shingles and its copy into the column).
 */
export function scanTextFeatures(text: string): Readonly<ScannedTextFeatures> {
  // An ASCII text is lowercased as it is hashed (no copy of it); another goes through toLowerCase, whose mappings
  // may change its length (İ is two code units lowercased).
  const ascii = !NOT_ASCII.test(text);
  const lower = ascii ? text : text.toLowerCase();
  const n = lower.length;
  // An ASCII text's "Step N:" markers are found in the scan (see stepAt); another's by the regex (stepsOf).
  let steps = 0;
  // At most one n-gram a word, and at most one word a code unit.
  if (n + 1 > hashes.length) hashes = new Uint32Array(Math.max(n + 1, 2 * hashes.length));
  const hs = hashes;
  let grams = 0;
  let words = 0;
  let inWord = false;
  // The hashes of the n-grams begun two words before the current one (x), one before (y) and at it (z).
  let x = FNV_OFFSET;
  let y = FNV_OFFSET;
  let z = FNV_OFFSET;
  for (let i = 0; i < n; ) {
    const c = lower.charCodeAt(i);
    // An ASCII code unit by table (its lowercase when a word character, else 0); another by wordCharWidth.
    const a = c < 0x80 ? ASCII_WORD[c] : c;
    const width = c < 0x80 ? (a === 0 ? 0 : 1) : wordCharWidth(lower, i);
    if (width === 0) {
      // A word ends: the n-gram begun two words before it is complete.
      if (inWord && words >= SHINGLE_WORDS) hs[grams++] = x;
      inWord = false;
      i++;
      continue;
    }
    if (!inWord) {
      // A word begins: in ASCII where the regex's \b does (the same word characters), so a marker begins here or
      // nowhere in it.
      if (ascii && a === 0x73) steps += stepAt(text, i, steps);
      // The n-grams begun at the two words before go on with a space, one begins here.
      x = Math.imul(y ^ SPACE, FNV_PRIME);
      y = Math.imul(z ^ SPACE, FNV_PRIME);
      z = FNV_OFFSET;
      words++;
      inWord = true;
    }
    x = Math.imul(x ^ a, FNV_PRIME);
    y = Math.imul(y ^ a, FNV_PRIME);
    z = Math.imul(z ^ a, FNV_PRIME);
    if (width === 2) {
      const d = lower.charCodeAt(i + 1);
      x = Math.imul(x ^ d, FNV_PRIME);
      y = Math.imul(y ^ d, FNV_PRIME);
      z = Math.imul(z ^ d, FNV_PRIME);
    }
    i += width;
  }
  if (inWord && words >= SHINGLE_WORDS) hs[grams++] = x;
  // A text of fewer than SHINGLE_WORDS words is one n-gram of all its words: begun at its first word.
  else if (words > 0 && words < SHINGLE_WORDS) hs[grams++] = words === 1 ? z : y;
  // The distinct hashes ascending, in place.
  const sorted = hs.subarray(0, grams).sort();
  let distinct = 0;
  for (let g = 0; g < grams; g++)
    if (distinct === 0 || sorted[g] !== sorted[distinct - 1]) sorted[distinct++] = sorted[g];
  scanned.steps = ascii ? steps : stepsOf(text);
  scanned.hasCode = text.includes('```');
  scanned.chars = text.length;
  scanned.ngrams = grams;
  scanned.shingles = sorted.subarray(0, distinct);
  return scanned;
}

/** How many code units the word character (outside ASCII) at `i` takes (2 for an astral one), or 0 when not one. */
function wordCharWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return WORD_CHAR.test(s.slice(i, i + 2)) ? 2 : 0;
  }
  let k = bmpClass[c];
  if (k === 0) bmpClass[c] = k = WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
  return k === 1 ? 1 : 0;
}

/** The step numbers met so far in the text being scanned (stepAt): as numberKey, or the digits when longer. */
const stepKeys: (number | string)[] = [];

/** ASCII whitespace as the regex's \s matches it: tab, line feed, vertical tab, form feed, carriage return, space. */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * Whether STEP_N matches at `i` of an ASCII text (where a word starts with s or S), and its number is new: 1, else
 * 0. `seen` is how many distinct numbers the text had before (0 restarts the list). The regex's match is
 * deterministic here (greedy runs with nothing to backtrack into), and matches never overlap a later word start
 * with an s, so testing each such word start finds exactly the regex's matches. No match array, no capture string
 * (the regex allocated ~45 MB for the bench's 83K actions): a number of up to 9 digits is kept as one double that
 * tells its digits apart (length and value: "05" is not "5", as the regex's strings), a longer one as its digits.
 */
function stepAt(text: string, i: number, seen: number): number {
  if (
    (text.charCodeAt(i + 1) | 0x20) !== 0x74 ||
    (text.charCodeAt(i + 2) | 0x20) !== 0x65 ||
    (text.charCodeAt(i + 3) | 0x20) !== 0x70
  )
    return 0;
  let j = i + 4;
  while (isSpace(text.charCodeAt(j))) j++;
  if (j === i + 4) return 0;
  const from = j;
  let value = 0;
  while (isDigit(text.charCodeAt(j))) value = value * 10 + (text.charCodeAt(j++) - 0x30);
  const digits = j - from;
  if (digits === 0) return 0;
  while (isSpace(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j) !== 0x3a) return 0;
  if (seen === 0) stepKeys.length = 0;
  const key = digits <= 9 ? digits * 1e9 + value : text.slice(from, from + digits);
  if (stepKeys.includes(key)) return 0;
  stepKeys.push(key);
  return 1;
}

/** Distinct "Step N:" numbers (any case); a text without "step" in it (most actions' code) skips the match. */
function stepsOf(text: string): number {
  if (!STEP.test(text)) return 0;
  // One module-level regex (a literal in the body is a new RegExp each call) run by exec, the distinct numbers in a
  // short array: an action names a handful of steps.
  const steps: string[] = [];
  STEP_N.lastIndex = 0;
  for (let m = STEP_N.exec(text); m !== null; m = STEP_N.exec(text))
    if (!steps.includes(m[1])) steps.push(m[1]);
  return steps.length;
}
