import { concludingAnswerOf } from './concludingAnswerOf.ts';
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

/** The bare answer: without `\text{}`, `$`, `**`, a leading `Answer:` / `The answer is`, quotes. */
function stripAnswer(s: string): string {
  let t = s.replace(/<\/?solution>/g, '').trim();
  t = t.replace(/^\\text\{([^{}]*)\}$/, '$1').replace(/^\$+|\$+$/g, '');
  t = t.replace(/^(?:the )?(?:correct )?(?:answer|option|choice)(?: is)?\s*[:：]?\s*/i, '');
  return t
    .replace(/\*\*/g, '')
    .replace(/^["“'‘]([^"”'’]*)["”'’]$/, '$1')
    .trim();
}

// Words after a bare `A`/`I` that make it a letter (`A because …`), not an article or a pronoun.
const LETTER_FOLLOWERS = /^(?:is|because|since|as|or|and|would|should|seems|fits|[-—–:])\b/i;

/** The choice letter the text commits to (case-insensitive in explicit forms), or null (none, or several). */
function letterOf(s: string, letters: string): string | null {
  const t = s.trim();
  const found = new Set<string>();
  // `(b)`, `b)`, `B.`, `B:`, `B,` or a lone letter, as the first token; a bare upper-case letter followed by
  // a word also counts (`B because …`), except `A`/`I` before an ordinary word (an article, a pronoun).
  const lone = /^\(([A-Za-z])\)|^([A-Za-z])(?:[.):,]|$)(?=\s|$)|^([A-Z])(?=\s+(\S+))/.exec(t);
  let first: string | null = null;
  if (lone) {
    if (lone[3] !== undefined) {
      const next = t.slice(lone[0].length).trim();
      if (!'AI'.includes(lone[3]) || LETTER_FOLLOWERS.test(next)) first = lone[3];
    } else first = (lone[1] ?? lone[2]).toUpperCase();
  }
  if (first !== null && letters.includes(first)) {
    found.add(first);
    // A second letter offered as an alternative (`A or B`, `(A) and (B)`) is ambiguous.
    const rest = t.slice(lone![0].length);
    for (const m of rest.matchAll(/(?:^|[\s(])(?:or|and|\/)\s*\(?([A-Za-z])\)?(?=[\s.),]|$)/g))
      found.add(m[1].toUpperCase());
  } else {
    for (const m of t.matchAll(
      /(?:^|[\s(])\(([A-Za-z])\)(?=[\s.,:;]|$)|(?:^|\s)([A-Z])\)(?=[\s.,:]|$)|\b(?:option|choice|answer)\s+\(?([A-Za-z])\b\)?/gi,
    )) {
      const l = (m[1] ?? m[2] ?? m[3]).toUpperCase();
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

const withoutLetter = (s: string) => s.replace(/^\(?[A-Za-z][).:]\s*/, '');

/**
 * Grades a logic / reading response by the answer it concludes with (`concludingAnswerOf`: `<solution>`,
 * final-answer markers, `Answer:`, `Therefore, no`, an opening `No, …`; quotations are not answers):
 * multiple-choice letters (`B`, `(b)`, `B)`, `B.`, `Answer: B`, or the text of choice B when `choices` are
 * given), yes/no/true/false, and short answers compared after SQuAD-style normalisation (numbers by value).
 * Case-insensitive. Reasons: letter, yes-no, text, number, different, ambiguous, no answer.
 */
export function gradeLogic(gold: string, pred: string | null, choices?: readonly string[] | null): Verdict {
  if (pred === null || pred.trim() === '') return { correct: false, reason: 'no answer' };
  const concluded = concludingAnswerOf(pred);
  if (concluded === null) return { correct: false, reason: 'no answer' };
  const g = stripAnswer(concludingAnswerOf(gold)?.answer ?? gold);
  const p = stripAnswer(concluded.answer);
  const letters = choices?.length ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, choices.length) : 'ABCDEFGHIJ';
  const goldLetter = /^\(?([A-Za-z])\)?\.?$/.exec(g)?.[1]?.toUpperCase() ?? null;
  if (goldLetter && letters.includes(goldLetter)) {
    let letter = letterOf(p, letters);
    if (letter === null && choices?.length) {
      // The option's text instead of its letter: equal after normalisation, or (in a sentence) the only
      // option whose whole text it contains.
      const np = normalizeText(withoutLetter(p));
      const texts = choices.map((c) => normalizeText(withoutLetter(c)));
      let at = texts.findIndex((c) => c !== '' && c === np);
      if (at < 0) {
        const within = texts.flatMap((c, i) => (c !== '' && ` ${np} `.includes(` ${c} `) ? [i] : []));
        if (within.length === 1) at = within[0];
      }
      if (at >= 0) letter = letters[at];
    }
    if (letter === null) return { correct: false, reason: 'ambiguous' };
    return letter === goldLetter
      ? { correct: true, reason: 'letter' }
      : { correct: false, reason: 'different' };
  }
  const gy = yesNo(g);
  if (gy !== null && normalizeText(g).split(' ').length === 1) {
    // Free text with no marker answers yes/no only when short (`Yes`, `true.`): a long one opening with the
    // word (`Yes or no? …`) would have matched the opening rule had it been a verdict.
    const short = concluded.source !== 'whole' || normalizeText(p).split(' ').length <= 3;
    const py = short ? yesNo(p) : null;
    if (py === null) return { correct: false, reason: 'ambiguous' };
    return py === gy ? { correct: true, reason: 'yes-no' } : { correct: false, reason: 'different' };
  }
  // Numbers first: text normalisation drops the decimal point (1.5 would become 15).
  const num = (s: string) =>
    /^[+-]?\d[\d,]*(?:\.\d+)?$/.test(s.trim()) ? Number(s.replace(/,/g, '')) : null;
  const gn = num(g);
  const pn = num(p.replace(/\.$/, ''));
  if (gn !== null && pn !== null) {
    const same = Math.abs(gn - pn) <= 1e-9 * Math.max(1, Math.abs(gn));
    return same ? { correct: true, reason: 'number' } : { correct: false, reason: 'different' };
  }
  const ng = normalizeText(g);
  const np = normalizeText(p);
  if (ng === np && ng !== '') return { correct: true, reason: 'text' };
  return { correct: false, reason: 'different' };
}
