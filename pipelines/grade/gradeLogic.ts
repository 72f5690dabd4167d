import { finalAnswerOf } from './finalAnswerOf.ts';
import type { Verdict } from './gradeTypes.ts';

const YES = new Set(['yes', 'true', 'correct', 'right', 'y', 't']);
const NO = new Set(['no', 'false', 'incorrect', 'wrong', 'n', 'f']);

/** SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces. */
function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The bare answer: without `<solution>`, `Answer:`, `The answer is`, `\boxed{}`, `\text{}`, markup. */
function stripAnswer(s: string): string {
  let t = s.replace(/<\/?solution>/g, '').trim();
  t = finalAnswerOf(t) ?? t;
  t = t.replace(/^\\text\{([^{}]*)\}$/, '$1').replace(/^\$+|\$+$/g, '');
  t = t.replace(/^(?:the )?(?:correct )?(?:answer|option|choice)(?: is)?\s*[:：]?\s*/i, '');
  return t.replace(/\*\*/g, '').trim();
}

/** The choice letter the text commits to, or null (none, or several different letters). */
function letterOf(s: string, letters: string): string | null {
  const t = s.trim();
  const lone = /^\(?([A-Z])\)?(?:[.):,]|$|\s)/.exec(t);
  const found = new Set<string>();
  if (lone && letters.includes(lone[1])) {
    // `B) because …` / `(B)` / `B.` / `B`: the first token decides; a second letter (`A or B`) is ambiguous.
    found.add(lone[1]);
    const rest = t.slice(lone[0].length);
    for (const m of rest.matchAll(/(?:^|[\s(])(?:or|and|\/)\s*\(?([A-Z])\)?(?=[\s.),]|$)/g)) found.add(m[1]);
  } else {
    for (const m of t.matchAll(
      /(?:^|[\s(])\(?([A-Z])\)(?=[\s.,:]|$)|\b(?:option|choice|answer)\s+\(?([A-Z])\b/gi,
    )) {
      const l = (m[1] ?? m[2]).toUpperCase();
      if (letters.includes(l)) found.add(l);
    }
  }
  return found.size === 1 ? [...found][0] : null;
}

function yesNo(s: string): 'yes' | 'no' | null {
  const first = normalizeText(s).split(' ')[0] ?? '';
  if (YES.has(first)) return 'yes';
  if (NO.has(first)) return 'no';
  return null;
}

/**
 * Grades a logic / reading answer: multiple-choice letters (`B`, `(B)`, `B)`, `Answer: B`, or the text
 * of choice B when `choices` are given), yes/no/true/false, and short answers compared after SQuAD-style
 * normalisation (numbers compared by value). Reasons: letter, yes-no, text, number, different,
 * ambiguous, no answer.
 */
export function gradeLogic(gold: string, pred: string | null, choices?: readonly string[] | null): Verdict {
  if (pred === null || pred.trim() === '') return { correct: false, reason: 'no answer' };
  const g = stripAnswer(gold);
  const p = stripAnswer(pred);
  const letters = choices?.length ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, choices.length) : 'ABCDEFGHIJ';
  const goldLetter = /^\(?([A-Z])\)?\.?$/.exec(g)?.[1] ?? null;
  if (goldLetter) {
    let letter = letterOf(p, letters);
    if (letter === null && choices?.length) {
      const np = normalizeText(p.replace(/^\(?[A-Z][).:]\s*/, ''));
      const at = choices.findIndex((c) => normalizeText(c.replace(/^\(?[A-Z][).:]\s*/, '')) === np);
      if (at >= 0) letter = letters[at];
    }
    if (letter === null) return { correct: false, reason: 'ambiguous' };
    return letter === goldLetter
      ? { correct: true, reason: 'letter' }
      : { correct: false, reason: 'different' };
  }
  const gy = yesNo(g);
  if (gy !== null && normalizeText(g).split(' ').length === 1) {
    const py = yesNo(p);
    if (py === null) return { correct: false, reason: 'ambiguous' };
    return py === gy ? { correct: true, reason: 'yes-no' } : { correct: false, reason: 'different' };
  }
  // Numbers first: text normalisation drops the decimal point (1.5 would become 15).
  const num = (s: string) =>
    /^[+-]?\d[\d,]*(?:\.\d+)?$/.test(s.trim()) ? Number(s.replace(/,/g, '')) : null;
  const gn = num(g);
  const pn = num(p);
  if (gn !== null && pn !== null) {
    const same = Math.abs(gn - pn) <= 1e-9 * Math.max(1, Math.abs(gn));
    return same ? { correct: true, reason: 'number' } : { correct: false, reason: 'different' };
  }
  const ng = normalizeText(g);
  const np = normalizeText(p);
  if (ng === np && ng !== '') return { correct: true, reason: 'text' };
  return { correct: false, reason: 'different' };
}
