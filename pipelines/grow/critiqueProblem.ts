import { normalizeMath } from '../grade/normalizeMath.ts';

/** A sentence repeated this many times or more marks a looping critique. */
const REPEATS = 3;
/** Sentences shorter than this (characters, normalised) are not counted as repeats ("No.", "Step 2."). */
const MIN_SENTENCE = 12;

/** Spans of a critique that may state an answer: \boxed{…} contents, $…$ spans and whitespace-separated words. */
function candidatesOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\\boxed\s*\{([^{}]*)\}/g)) out.push(m[1]);
  for (const m of text.matchAll(/\$([^$]+)\$/g)) out.push(m[1]);
  // "Step 3" names a step, not an answer: a small whole-number answer would match it everywhere.
  const words = text.replace(/\bsteps?\s*\d+/gi, ' ').split(/\s+/);
  for (const w of words) {
    const t = w.replace(/^[("'`]+|[)"'`.,;:!?]+$/g, '');
    if (t) out.push(t);
  }
  return out;
}

/**
 * Why a critique must not be used, or null when it may (pure). Rejected: cut at max_tokens (`finishReason`
 * `length`), empty, a sentence repeated 3 times or more (a loop), or stating the gold answer. `gold` is the
 * reference answer of a math task already normalised (normalizeMath's text), null when not checked (code, logic:
 * a choice letter or yes/no is too short to tell from ordinary words). The answer counts as stated when a word, a
 * `$…$` span or a `\boxed{}` of the critique normalises to it, or, for answers of 4 characters or more, when the
 * critique with its whitespace removed contains it.
 */
export function critiqueProblem(
  critique: { readonly text: string; readonly finishReason: string | null },
  gold: string | null,
): string | null {
  if (critique.finishReason === 'length') return 'cut at max_tokens (finish_reason length)';
  const text = critique.text.trim();
  if (!text) return 'empty critique';
  const counts = new Map<string, number>();
  for (const raw of text.split(/(?<=[.!?])\s+|\n+/)) {
    const s = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (s.length < MIN_SENTENCE) continue;
    const n = (counts.get(s) ?? 0) + 1;
    counts.set(s, n);
    if (n >= REPEATS) return `repeats a sentence ${n} times: "${s.slice(0, 60)}"`;
  }
  if (gold) {
    const stated =
      candidatesOf(text).some((c) => normalizeMath(c).text === gold) ||
      (gold.length >= 4 && text.replace(/\s+/g, '').includes(gold));
    if (stated) return `states the reference answer (${gold})`;
  }
  return null;
}
