import { extractMathAnswer } from './extractMathAnswer.ts';
import { fastMathVerdict } from './fastMathVerdict.ts';
import type { Cas, Verdict } from './gradeTypes.ts';
import { normalizeMath } from './normalizeMath.ts';
import { splitTopLevel } from './splitTopLevel.ts';
import { unitOf } from './unitOf.ts';

/** Whether the gold answer has several elements (`1, 2`, `1; 2`, `\pm 2`, `1 or 2`): a list, not a point. */
function isList(latex: string): boolean {
  if (/\\pm|\\mp/.test(latex)) return true;
  if (latex.startsWith('\\{') && latex.endsWith('\\}')) return isList(latex.slice(2, -2));
  if (latex.startsWith('{') && latex.endsWith('}')) return isList(latex.slice(1, -1));
  const comma = splitTopLevel(latex, ',');
  const semi = splitTopLevel(latex, ';');
  return (comma !== null && comma.length > 1) || (semi !== null && semi.length > 1);
}

/** Bracket nesting beyond this is not read: an adversarial answer, never a real one. */
const MAX_DEPTH = 64;

/** An equation with something other than a bare name on its left (`2x - y + 1 = 0`). */
const EQUATION = /[^=<>]=[^=]/;

/**
 * Grades a math answer against the gold one; either may be a whole response (reasoning, prose, several
 * `\boxed{}`): the final answer is extracted by extractMathAnswer, with no length cap. What
 * fastMathVerdict decides for certain (plain numbers, fractions, percent, ratios, words, `x >= 5`, and sets,
 * tuples, intervals, matrices of numbers) is decided here; everything else (expressions, relations,
 * intervals, equations, labelled answers) by Math-Verify through `cas` in the sandboxed worker, bounded by
 * `timeoutMs` (default 3000). An answer nested deeper than 64 brackets is not read (`unreadable`). Units follow the unit policy of pipelines/grade/README.md: a known unit on
 * both sides must agree (`5 cm` ≠ `5 km`); otherwise units are dropped.
 * Reasons: exact, numeric, percent, equivalent, different, unit mismatch (…), no answer, reference has no
 * answer, unreadable (…), cas timeout (N ms), cas error: …, undecided without a CAS.
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
  const fast = fastMathVerdict(g, p);
  if (fast) return fast;
  if (splitTopLevel(p.latex, ',', MAX_DEPTH) === null || splitTopLevel(g.latex, ',', MAX_DEPTH) === null) {
    return { correct: false, reason: `unreadable (brackets nested deeper than ${MAX_DEPTH})` };
  }
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
