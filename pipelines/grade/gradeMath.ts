import { finalAnswerOf } from './finalAnswerOf.ts';
import type { Cas, Verdict } from './gradeTypes.ts';
import { latexToSympy } from './latexToSympy.ts';
import { normalizeMath } from './normalizeMath.ts';
import { parseNumber } from './parseNumber.ts';
import { splitTopLevel } from './splitTopLevel.ts';

/** Inputs longer than this (characters) are not graded: `{correct: false, reason: 'timeout'}`. */
const MAX_CHARS = 10_000;
/** Elements of a tuple/set/interval list beyond this are not graded either. */
const MAX_ELEMENTS = 32;
/** Relative tolerance of numeric equality. */
const REL_TOL = 1e-6;

type Outcome = 'equal' | 'different' | 'timeout';

interface Shape {
  kind: 'scalar' | 'set' | 'bracket' | 'list' | 'union';
  open?: string;
  close?: string;
  items: string[];
}

const LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Two written decimals must be equal (to float precision); a fraction against a decimal may differ by
 * REL_TOL, so `0.333333` matches `\frac{1}{3}` while `0.33` does not.
 */
function closeEnough(a: number, b: number, aText = '', bText = ''): boolean {
  const tol = LITERAL.test(aText) && LITERAL.test(bText) ? 1e-12 : REL_TOL;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/** Index of the bracket closing the one at 0, or -1. */
function matchingClose(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
      if (depth === 0) return i;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) return i;
    }
  }
  return -1;
}

function shapeOf(s: string): Shape | null {
  const union = splitTopLevel(s, '\\cup');
  if (union === null) return null;
  if (union.length > 1) return { kind: 'union', items: union };
  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s) === s.length - 1) {
    const items = splitTopLevel(s.slice(2, -2), ',');
    return items && { kind: 'set', items };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && matchingClose(s) === s.length - 1) {
    const items = splitTopLevel(s.slice(1, -1), ',');
    if (items === null) return null;
    if (items.length > 1) return { kind: 'bracket', open: s[0], close: s[s.length - 1], items };
  }
  const items = splitTopLevel(s, ',');
  if (items === null) return null;
  if (items.length > 1) return { kind: 'list', items };
  return { kind: 'scalar', items: [s] };
}

/** Strips `x=` from a list element such as `x=1`. */
function element(s: string): string {
  return normalizeMath(s).text;
}

async function scalarEqual(a: string, b: string, cas: Cas | undefined, timeoutMs: number): Promise<Outcome> {
  if (a === b) return 'equal';
  const na = parseNumber(a);
  const nb = parseNumber(b);
  if (na !== null && nb !== null) return closeEnough(na, nb, a, b) ? 'equal' : 'different';
  if (/^[a-zA-Z ]+$/.test(a) && /^[a-zA-Z ]+$/.test(b) && a.length > 1 && b.length > 1) {
    return a.toLowerCase() === b.toLowerCase() ? 'equal' : 'different';
  }
  const sa = latexToSympy(a);
  const sb = latexToSympy(b);
  if (sa === null || sb === null) return 'different';
  if (sa === sb) return 'equal';
  if (!cas) return 'different';
  const r = await cas.equal(sa, sb, timeoutMs);
  return r === 'equal' ? 'equal' : r === 'timeout' ? 'timeout' : 'different';
}

async function allEqual(
  as: string[],
  bs: string[],
  ordered: boolean,
  cas: Cas | undefined,
  timeoutMs: number,
): Promise<Outcome> {
  if (as.length !== bs.length) return 'different';
  if (ordered) {
    for (let i = 0; i < as.length; i++) {
      const r = await valueEqual(element(as[i]), element(bs[i]), cas, timeoutMs);
      if (r !== 'equal') return r;
    }
    return 'equal';
  }
  const left = bs.map(element);
  for (const a of as.map(element)) {
    let found = -1;
    for (let j = 0; j < left.length && found < 0; j++) {
      const r = await valueEqual(a, left[j], cas, timeoutMs);
      if (r === 'timeout') return r;
      if (r === 'equal') found = j;
    }
    if (found < 0) return 'different';
    left.splice(found, 1);
  }
  return 'equal';
}

async function valueEqual(a: string, b: string, cas: Cas | undefined, timeoutMs: number): Promise<Outcome> {
  if (a === b) return 'equal';
  const sa = shapeOf(a);
  const sb = shapeOf(b);
  if (!sa || !sb) return 'timeout';
  if (sa.items.length > MAX_ELEMENTS || sb.items.length > MAX_ELEMENTS) return 'timeout';
  if (sa.kind === 'scalar' && sb.kind === 'scalar') return scalarEqual(a, b, cas, timeoutMs);
  if (sa.kind === 'bracket' && sb.kind === 'bracket') {
    if (sa.open !== sb.open || sa.close !== sb.close) return 'different';
    return allEqual(sa.items, sb.items, true, cas, timeoutMs);
  }
  // A point written without its parentheses: `1, 2` for `(1, 2)`.
  const tuple = (s: Shape) => s.kind === 'bracket' && s.open === '(' && s.close === ')';
  if ((tuple(sa) && sb.kind === 'list') || (sa.kind === 'list' && tuple(sb))) {
    return allEqual(sa.items, sb.items, true, cas, timeoutMs);
  }
  if (sa.kind === sb.kind && (sa.kind === 'set' || sa.kind === 'list' || sa.kind === 'union')) {
    return allEqual(sa.items, sb.items, false, cas, timeoutMs);
  }
  return 'different';
}

/** The final answer inside a longer text (`\boxed{}`, `#### x`, `Answer:`), else the whole text. */
function answerOf(text: string): string {
  return finalAnswerOf(text) ?? text.trim();
}

/**
 * Grades a math answer against the gold one (either may be a full solution: the final answer is
 * extracted). Equal across number formats (thousands separators, decimals, percent, currency, units,
 * degrees), fractions, LaTeX, intervals, tuples, sets, and symbolically through `cas` (sympy) when given.
 * Reasons: exact, numeric, percent, equivalent, different, no answer, timeout (sympy ran past `timeoutMs`,
 * default 3000, or the input is beyond the size budget).
 */
export async function gradeMath(
  gold: string,
  pred: string | null,
  { cas, timeoutMs = 3000 }: { cas?: Cas; timeoutMs?: number } = {},
): Promise<Verdict> {
  if (pred === null || pred.trim() === '') return { correct: false, reason: 'no answer' };
  if (gold.length > MAX_CHARS || pred.length > MAX_CHARS) return { correct: false, reason: 'timeout' };
  const g = normalizeMath(answerOf(gold));
  const p = normalizeMath(answerOf(pred));
  if (p.text === '') return { correct: false, reason: 'no answer' };
  if (g.text === p.text) return { correct: true, reason: 'exact' };
  const gn = parseNumber(g.text);
  const pn = parseNumber(p.text);
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
  const r = await valueEqual(g.text, p.text, cas, timeoutMs);
  if (r === 'timeout') return { correct: false, reason: 'timeout' };
  return r === 'equal' ? { correct: true, reason: 'equivalent' } : { correct: false, reason: 'different' };
}
