import { extractMathAnswer } from './extractMathAnswer.ts';
import type { Cas, Verdict } from './gradeTypes.ts';
import { type NormalizedMath, normalizeMath } from './normalizeMath.ts';
import { parseNumber } from './parseNumber.ts';
import { splitTopLevel } from './splitTopLevel.ts';
import { unitOf } from './unitOf.ts';

/** Relative tolerance of numeric equality between a fraction and a decimal (`0.333333` = ⅓, `0.33` ≠ ⅓). */
const REL_TOL = 1e-6;

const LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Two written decimals must be equal to float precision; a fraction against a decimal within REL_TOL. */
function closeEnough(a: number, b: number, aText: string, bText: string): boolean {
  const tol = LITERAL.test(aText) && LITERAL.test(bText) ? 1e-12 : REL_TOL;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/** Whether the gold answer has several elements (`1, 2`, `1; 2`, `\pm 2`, `1 or 2`): a list, not a point. */
function isList(latex: string): boolean {
  if (/\\pm|\\mp/.test(latex)) return true;
  if (latex.startsWith('\\{') && latex.endsWith('\\}')) return isList(latex.slice(2, -2));
  if (latex.startsWith('{') && latex.endsWith('}')) return isList(latex.slice(1, -1));
  const comma = splitTopLevel(latex, ',');
  const semi = splitTopLevel(latex, ';');
  return (comma !== null && comma.length > 1) || (semi !== null && semi.length > 1);
}

/**
 * `1000,99` read as 1000.99 when the other side is a decimal number and the comma cannot be a thousands
 * separator (the digits after it are not three) nor a list written with a space (`1000, 99`).
 */
function decimalComma(text: string, other: string): number | null {
  const m = /^([+-]?\d+),(\d+)$/.exec(text);
  if (!m || m[2].length === 3 || !/^[+-]?\d*\.\d+$/.test(other)) return null;
  return Number(`${m[1]}.${m[2]}`);
}

/** An equation with something other than a bare name on its left (`2x - y + 1 = 0`). */
const EQUATION = /[^=<>]=[^=]/;

/** A word answer (`Monday`, `\text{even}`): letters and spaces only, two letters at least. */
const WORDS = /^[a-zA-Z][a-zA-Z ]+$/;

/** The fast TypeScript path: plain numbers, fractions, percent, words. null when Math-Verify must decide. */
function fastVerdict(g: NormalizedMath, p: NormalizedMath): Verdict | null {
  if (g.text === p.text) return { correct: true, reason: 'exact' };
  let gn = parseNumber(g.text);
  let pn = parseNumber(p.text);
  if (gn === null && pn !== null) gn = decimalComma(g.text, p.text);
  if (pn === null && gn !== null) pn = decimalComma(p.text, g.text);
  if (gn !== null && pn !== null) {
    if (closeEnough(pn, gn, p.text, g.text)) return { correct: true, reason: 'numeric' };
    if (g.percent !== p.percent) {
      const scaled = g.percent
        ? closeEnough(pn * 100, gn, p.text, g.text)
        : closeEnough(pn, gn * 100, p.text, g.text);
      if (scaled) return { correct: true, reason: 'percent' };
    }
    return { correct: false, reason: 'different' };
  }
  if (WORDS.test(g.latex) && WORDS.test(p.latex)) {
    const same = g.latex.toLowerCase().replace(/\s+/g, ' ') === p.latex.toLowerCase().replace(/\s+/g, ' ');
    return same ? { correct: true, reason: 'exact' } : { correct: false, reason: 'different' };
  }
  return null;
}

/**
 * Grades a math answer against the gold one; either may be a whole response (reasoning, prose, several
 * `\boxed{}`): the final answer is extracted by extractMathAnswer, with no length cap. Plain numbers,
 * fractions, percent and words are decided here; everything else (expressions, relations, intervals,
 * sets, tuples, matrices, equations) by Math-Verify through `cas` in the sandboxed worker, bounded by
 * `timeoutMs` (default 3000). Units follow the unit policy of pipelines/grade/README.md: a known unit on
 * both sides must agree (`5 cm` ≠ `5 km`); otherwise units are dropped.
 * Reasons: exact, numeric, percent, equivalent, different, unit mismatch (…), no answer, reference has no
 * answer, cas timeout (N ms), cas error: …, undecided without a CAS.
 */
export async function gradeMath(
  gold: string,
  pred: string | null,
  { cas, timeoutMs = 3000 }: { cas?: Cas; timeoutMs?: number } = {},
): Promise<Verdict> {
  if (pred === null || pred.trim() === '') return { correct: false, reason: 'no answer' };
  const ge = extractMathAnswer(gold);
  if (!ge) return { correct: false, reason: 'reference has no answer' };
  const pe = extractMathAnswer(pred);
  if (!pe) return { correct: false, reason: 'no answer' };
  const goldRaw = ge.answers.join(', ');
  // Several boxed answers form a list when the gold is one; else the last boxed is the answer.
  const several = pe.answers.length > 1 && isList(normalizeMath(goldRaw).latex);
  const predRaw = several ? pe.answers.join(', ') : pe.answers[pe.answers.length - 1];
  // `x = 3` is 3, unless the other side is an equation too (`y = 2x + 1` against `2x - y + 1 = 0`).
  const g = normalizeMath(goldRaw, { dropLabel: !EQUATION.test(predRaw) });
  let p = normalizeMath(predRaw, { dropLabel: !EQUATION.test(goldRaw) });
  // A single letter after a number is read as a unit only against a gold with a unit (`8 m` for
  // `8 \text{ meters}`; `8 s` is then a unit mismatch); elsewhere it is a variable (`3 n`).
  const letter = g.unit !== null && p.unit === null ? /^(.*[0-9}])\s*([a-zA-Z])$/.exec(p.latex) : null;
  const letterUnit = letter ? unitOf(letter[2]) : null;
  if (letter && letterUnit !== null) p = { ...normalizeMath(letter[1]), unit: letterUnit };
  if (p.text === '') return { correct: false, reason: 'no answer' };
  if (g.unit !== null && p.unit !== null && g.unit !== p.unit) {
    return { correct: false, reason: `unit mismatch (${p.unit} vs ${g.unit})` };
  }
  const fast = fastVerdict(g, p);
  if (fast) return fast;
  if (!cas) return { correct: false, reason: 'undecided without a CAS' };
  const r = await cas.verify(`$${g.latex}$`, `$${p.latex}$`, timeoutMs);
  switch (r.result) {
    case 'equal':
      return { correct: true, reason: 'equivalent' };
    case 'different':
      return { correct: false, reason: 'different' };
    case 'timeout':
      return { correct: false, reason: `cas timeout (${timeoutMs} ms)` };
    default:
      return { correct: false, reason: `cas error: ${r.detail}` };
  }
}
