import { bracketAt } from './bracketAt.ts';
import type { Verdict } from './gradeTypes.ts';
import { type NormalizedMath, normalizeMath } from './normalizeMath.ts';
import { parseNumber } from './parseNumber.ts';
import { splitTopLevel } from './splitTopLevel.ts';

/** Relative tolerance between a fraction and a decimal (`0.333333` = ⅓, `0.33` ≠ ⅓). */
const REL_TOL = 1e-6;
const LITERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Two written decimals must be equal to float precision; a fraction against a decimal within REL_TOL. */
function closeEnough(a: number, b: number, aText: string, bText: string): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const tol = LITERAL.test(aText) && LITERAL.test(bText) ? 1e-12 : REL_TOL;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

/** A plain number, `\infty` (±Infinity) or a ratio `a:b` of plain numbers; else null. */
function plainValue(text: string): number | null {
  const n = parseNumber(text);
  if (n !== null) return n;
  const inf = /^([+-]?)\\infty$/.exec(text);
  if (inf) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const ratio = /^([^:]+):([^:]+)$/.exec(text);
  if (ratio) {
    const [a, b] = [parseNumber(ratio[1]), parseNumber(ratio[2])];
    if (a !== null && b !== null && b !== 0) return a / b;
  }
  return null;
}

interface Item {
  readonly value: number;
  readonly text: string;
}

/** A collection of plain numbers: a set or list (unordered) or a bracketed tuple/interval (ordered). */
interface Numbers {
  readonly kind: 'unordered' | 'bracket' | 'matrix';
  readonly open?: string;
  readonly close?: string;
  readonly items: readonly Item[];
  /** Matrix shape (rows × columns). */
  readonly rows?: number;
}

function items(parts: readonly string[]): Item[] | null {
  const out: Item[] = [];
  for (const part of parts) {
    const text = normalizeMath(part, { dropLabel: false }).text;
    const value = plainValue(text);
    if (value === null) return null;
    out.push({ value, text });
  }
  return out;
}

/** Index of the bracket closing the one at 0, or -1 (`\{`/`\}` count as brackets). */
function matchingClose(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const bracket = bracketAt(s, i);
    if (bracket === 0) continue;
    depth += Math.sign(bracket);
    i += Math.abs(bracket) - 1;
    if (bracket < 0 && depth === 0) return i;
  }
  return -1;
}

/**
 * The numbers of a collection answer, or null when it is anything else (then Math-Verify decides). A comma
 * between digits with no space (`0,111`, `1,5`) may be a decimal comma: such a text is left to Math-Verify.
 */
function numbersOf(latex: string): Numbers | null {
  const s = latex.trim();
  if (/\d,\d/.test(s)) return null;
  const matrix = /^\\begin\{([pbvB]?matrix|array)\}(?:\{[^{}]*\})?([\s\S]*?)\\end\{\1\}$/.exec(s);
  if (matrix) {
    const rows = matrix[2]
      .split('\\\\')
      .map((r) => r.trim())
      .filter((r) => r !== '')
      .map((r) => r.split('&'));
    if (!rows.length || rows.some((r) => r.length !== rows[0].length)) return null;
    const cells = items(rows.flat());
    return cells && { kind: 'matrix', items: cells, rows: rows.length };
  }
  const split = (inner: string) => {
    const semi = splitTopLevel(inner, ';');
    return semi && semi.length > 1 ? semi : splitTopLevel(inner, ',');
  };
  let inner: string | null = null;
  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s) === s.length - 1) inner = s.slice(2, -2);
  else if (s.startsWith('{') && s.endsWith('}') && matchingClose(s) === s.length - 1) inner = s.slice(1, -1);
  if (inner !== null) {
    const parts = split(inner);
    const xs = parts && items(parts);
    return xs && { kind: 'unordered', items: xs };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && matchingClose(s) === s.length - 1) {
    const parts = splitTopLevel(s.slice(1, -1), ',');
    if (parts && parts.length > 1) {
      const xs = items(parts);
      return xs && { kind: 'bracket', open: s[0], close: s[s.length - 1], items: xs };
    }
  }
  const parts = split(s);
  const xs = parts && items(parts);
  return xs && { kind: 'unordered', items: xs };
}

function same(a: Item, b: Item): boolean {
  return closeEnough(a.value, b.value, a.text, b.text);
}

function unorderedEqual(a: readonly Item[], b: readonly Item[]): boolean {
  return a.every((x) => b.some((y) => same(x, y))) && b.every((y) => a.some((x) => same(x, y)));
}

/** Collections of numbers: equal, different, or null when Math-Verify must decide. */
function numbersVerdict(g: Numbers, p: Numbers): boolean | null {
  if (g.kind === 'matrix' || p.kind === 'matrix') {
    if (g.kind === 'matrix' && p.kind === 'matrix') {
      return (
        g.rows === p.rows && g.items.length === p.items.length && g.items.every((x, i) => same(x, p.items[i]))
      );
    }
    // A matrix (of several rows and columns: vectors are tuples already) is never a tuple or a list.
    return false;
  }
  if (g.kind === 'unordered' && p.kind === 'unordered') return unorderedEqual(g.items, p.items);
  const ordered = g.items.length === p.items.length && g.items.every((x, i) => same(x, p.items[i]));
  if (g.kind === 'bracket' && p.kind === 'bracket') {
    if (g.open === p.open && g.close === p.close) return ordered;
    // `(1, 2)` against `[1, 2]`: another interval (or a tuple against an interval).
    return false;
  }
  // A point written without its parentheses (`3, -2` for `(3, -2)`) is equal; otherwise undecided.
  return ordered ? true : null;
}

/** Canonical relation operators: `\geq`, `\ge`, `\geqslant`, `≥` → `>=`, and so on. */
function relations(s: string): string {
  return s
    .replace(/\\(?:geqslant|geq|ge)(?![a-zA-Z])/g, '>=')
    .replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])/g, '<=')
    .replace(/\\(?:neq|ne)(?![a-zA-Z])|!=/g, '≠')
    .replace(/\\gt(?![a-zA-Z])/g, '>')
    .replace(/\\lt(?![a-zA-Z])/g, '<')
    .replace(/\s+/g, '');
}

const FLIP: Record<string, string> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '≠': '≠' };

/** `x >= 5` (or `5 <= x`) as {name, op, value}, the variable on the left; else null. */
function simpleRelation(s: string): { name: string; op: string; value: Item } | null {
  const m = /^([^<>=≠]+)(>=|<=|≠|>|<)([^<>=≠]+)$/.exec(relations(s));
  if (!m) return null;
  const name = /^[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?$/;
  const [l, op, r] = [m[1], m[2], m[3]];
  const lv = plainValue(l);
  const rv = plainValue(r);
  if (name.test(l) && rv !== null) return { name: l, op, value: { value: rv, text: r } };
  if (name.test(r) && lv !== null) return { name: r, op: FLIP[op], value: { value: lv, text: l } };
  return null;
}

/**
 * The fast TypeScript path, for the answers it can decide for certain: plain numbers and fractions,
 * percent, ratios, words, relations `x >= 5` of a variable and a number, and sets, lists, tuples,
 * intervals and matrices of plain numbers. null when Math-Verify must decide.
 */
export function fastMathVerdict(g: NormalizedMath, p: NormalizedMath): Verdict | null {
  if (g.text === p.text) return { correct: true, reason: 'exact' };
  let gn = plainValue(g.text);
  let pn = plainValue(p.text);
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
  const gr = simpleRelation(g.latex);
  const pr = simpleRelation(p.latex);
  if (gr && pr && gr.name === pr.name) {
    const equal = gr.op === pr.op && same(gr.value, pr.value);
    return equal ? { correct: true, reason: 'equivalent' } : { correct: false, reason: 'different' };
  }
  const gs = numbersOf(g.latex);
  const ps = gs && numbersOf(p.latex);
  if (
    gs &&
    ps &&
    (gs.items.length > 1 || ps.items.length > 1 || gs.kind === 'matrix' || ps.kind === 'matrix')
  ) {
    const v = numbersVerdict(gs, ps);
    if (v !== null)
      return v ? { correct: true, reason: 'equivalent' } : { correct: false, reason: 'different' };
  }
  return null;
}

/** A word answer (`Monday`, `\text{even}`): letters and spaces only, two letters at least. */
const WORDS = /^[a-zA-Z][a-zA-Z ]+$/;

/**
 * `1000,99` read as 1000.99 when the other side is a decimal number and the comma cannot be a thousands
 * separator (the digits after it are not three) nor a list written with a space (`1000, 99`).
 */
function decimalComma(text: string, other: string): number | null {
  const m = /^([+-]?\d+),(\d+)$/.exec(text);
  if (!m || m[2].length === 3 || !/^[+-]?\d*\.\d+$/.test(other)) return null;
  return Number(`${m[1]}.${m[2]}`);
}
