import { readGroup } from './readGroup.ts';

const FUNCTIONS = new Set([
  'sin',
  'cos',
  'tan',
  'cot',
  'sec',
  'csc',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'tanh',
  'log',
  'exp',
  'det',
  'gcd',
  'max',
  'min',
]);
const SYMBOLS: Record<string, string> = {
  pi: 'pi',
  infty: 'oo',
  infin: 'oo',
  cdot: '*',
  times: '*',
  ast: '*',
  div: '/',
  ln: 'log',
  lg: 'log',
  circ: '',
  prime: "'",
  colon: ':',
};
/** Commands we do not translate: the caller then compares text only. */
const UNSUPPORTED = new Set([
  'le',
  'leq',
  'ge',
  'geq',
  'lt',
  'gt',
  'neq',
  'ne',
  'pm',
  'mp',
  'cup',
  'cap',
  'in',
  'begin',
  'end',
  'sum',
  'prod',
  'int',
  'lim',
  'binom',
  'choose',
  'matrix',
  'vec',
  'overline',
  'angle',
  'triangle',
  'mid',
]);

class TooDeep extends Error {}

function convert(s: string, depth: number): string | null {
  if (depth > 64) throw new TooDeep();
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+|.)/.exec(s.slice(i, i + 40));
      if (!m) return null;
      const name = m[1];
      i += m[0].length;
      if (name === 'frac' || name === 'cfrac') {
        const a = readGroup(s, i);
        const b = a && readGroup(s, a.end);
        if (!a || !b) return null;
        const ca = convert(a.text, depth + 1);
        const cb = convert(b.text, depth + 1);
        if (ca === null || cb === null) return null;
        out += `((${ca})/(${cb}))`;
        i = b.end;
      } else if (name === 'sqrt') {
        let root: string | null = null;
        if (s[i] === '[') {
          const close = s.indexOf(']', i);
          if (close < 0) return null;
          root = convert(s.slice(i + 1, close), depth + 1);
          i = close + 1;
        }
        const a = readGroup(s, i);
        if (!a) return null;
        const ca = convert(a.text, depth + 1);
        if (ca === null) return null;
        out += root === null ? `sqrt(${ca})` : `((${ca})**(1/(${root})))`;
        i = a.end;
      } else if (name in SYMBOLS) out += ` ${SYMBOLS[name]} `;
      else if (UNSUPPORTED.has(name) || name === '{' || name === '}' || name === '%' || name === '$')
        return null;
      else if (FUNCTIONS.has(name) || /^[a-zA-Z]+$/.test(name)) out += ` ${name} `;
      else if (name === ' ' || name === ',') out += ' ';
      else return null;
    } else if (c === '{') {
      const g = readGroup(s, i);
      if (!g) return null;
      const cg = convert(g.text, depth + 1);
      if (cg === null) return null;
      out += `(${cg})`;
      i = g.end;
    } else if (c === '^') {
      const g = readGroup(s, i + 1);
      if (!g) return null;
      const cg = g.text.startsWith('\\') ? convert(g.text, depth + 1) : convert(g.text, depth + 1);
      if (cg === null) return null;
      out += `**(${cg})`;
      i = g.end;
    } else if (c === '_') {
      const g = readGroup(s, i + 1);
      if (!g || !/^[a-zA-Z0-9]+$/.test(g.text)) return null;
      out += `_${g.text}`;
      i = g.end;
    } else if (c === '}' || c === '&' || c === '=' || c === '<' || c === '>' || c === '|' || c === ';')
      return null;
    else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Translates a normalised LaTeX answer into sympy's input syntax (`\frac{a}{b}`→`((a)/(b))`,
 * `\sqrt[n]{x}`, `^`→`**`, `\pi`→`pi`, `\infty`→`oo`, `\cdot`→`*`, functions by name). Returns null for
 * what it does not translate (relations, ±, matrices, sums, unbalanced braces, nesting deeper than 64):
 * the grader then relies on text comparison only. Not a CAS: sympy decides equality.
 */
export function latexToSympy(latex: string): string | null {
  try {
    const out = convert(latex, 0);
    if (out === null) return null;
    const expr = out.replace(/\s+/g, ' ').trim();
    // sympy's parser evaluates Python: only arithmetic on names and numbers goes to it (no quotes,
    // attribute access, dunders, brackets or keywords arguments), even though it runs sandboxed.
    if (!/^[A-Za-z0-9_ +\-*/().,!]*$/.test(expr) || /\.[A-Za-z_]|__/.test(expr)) return null;
    return expr;
  } catch (e) {
    if (e instanceof TooDeep) return null;
    throw e;
  }
}
