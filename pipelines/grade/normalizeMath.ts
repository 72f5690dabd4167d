import { readGroup } from './readGroup.ts';

/** A math answer in canonical text form, with the marks removed on the way. */
export interface NormalizedMath {
  readonly text: string;
  /** The answer ended in a percent sign (`50\%`, `50 percent`). */
  readonly percent: boolean;
}

/** Words that may follow a number in an answer and are not units. */
const MATH_WORDS = new Set(['pi', 'e', 'i', 'sqrt', 'x', 'y', 'z', 'n', 'k', 'or', 'and']);

/** Replaces every `\name{…}` by what `keep(content)` returns (balanced braces). */
function replaceCommand(s: string, names: RegExp, keep: (content: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    names.lastIndex = i;
    const m = names.exec(s);
    if (!m) return out + s.slice(i);
    const g = readGroup(s, m.index + m[0].length);
    if (!g || s.slice(m.index + m[0].length).trimStart()[0] !== '{') {
      out += s.slice(i, m.index + m[0].length);
      i = m.index + m[0].length;
      continue;
    }
    out += s.slice(i, m.index) + keep(g.text);
    i = g.end;
  }
}

/**
 * Canonical text of a final math answer: no `$`/`\(`, no `\left`/`\right`/spacing, `\dfrac`→`\frac`, no
 * degrees, percent, currency, `\text{}` units or trailing unit words, no thousands separators, no
 * `x =` prefix, no trailing period, whitespace removed (one space kept after a `\command`).
 * Pure and linear in the input.
 */
export function normalizeMath(raw: string): NormalizedMath {
  let s = raw.trim();
  s = s.replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/^\$+/, '').replace(/\$+$/, '');
  s = replaceCommand(s, /\\(?:boxed|fbox)\s*/g, (c) => c);
  s = s.replace(
    /\\(?:displaystyle|left|right|bigl|bigr|Bigl|Bigr|big|Big|mathrm(?=\s*\{\s*[a-zA-Z]\s*\}))(?![a-zA-Z])/g,
    '',
  );
  // A column vector as a tuple: \begin{pmatrix} 1 \\ 2 \end{pmatrix} → (1,2).
  s = s.replace(/\\begin\{[pbv]?matrix\}([\s\S]*?)\\end\{[pbv]?matrix\}/g, (_, body: string) => {
    const cells = body.split(/\\\\|&/).map((c) => c.trim());
    return `(${cells.join(',')})`;
  });
  s = s
    .replace(/\\[,;:! ]/g, ' ')
    .replace(/~/g, ' ')
    .replace(/\u2212/g, '-')
    .replace(/π/g, '\\pi ')
    .replace(/∞/g, '\\infty ')
    .replace(/×/g, '\\times ')
    .replace(/÷/g, '\\div ')
    .replace(/[·⋅]/g, '\\cdot ')
    .replace(/√/g, '\\sqrt');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  // `1 and 2`, `1 \text{ or } 2`: a list, never the number 12.
  s = s.replace(/\\(?:text|mbox)\s*\{\s*(?:and|or|,)\s*\}/g, ',').replace(/\s+(?:and|or)\s+/g, ',');
  s = s.replace(/\{,\}/g, ',');
  // Degrees.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![a-zA-Z])|\s*degrees?$/g, '');
  // Percent.
  let percent = false;
  const pct = /\s*(?:\\%|%|\s+percent)\s*$/;
  if (pct.test(s)) {
    percent = true;
    s = s.replace(pct, '');
  }
  // Currency.
  s = s.replace(/\\\$|\$|€|£|¥/g, '').replace(/^(?:USD|US|Rs\.?)\s+/, '');
  s = s.replace(/\s*\b(?:dollars?|cents?|USD|euros?)\b\.?\s*$/i, '');
  // \text{…}: the whole answer when nothing else is there, otherwise a unit to drop.
  const only = /^\\(?:text|textbf|textit|mathrm|mbox|mathbf|operatorname)\s*\{([^{}]*)\}$/.exec(s.trim());
  if (only) s = only[1];
  else s = replaceCommand(s, /\\(?:text|textbf|textit|mbox)\s*/g, () => ' ');
  s = s.replace(/\\(?:mathbf|mathrm|operatorname)\s*\{([^{}]*)\}/g, '$1');
  s = s.trim().replace(/\.$/, '').trim();
  // `x = 3` → `3` (one variable, one equals sign).
  const eq = /^\\?[a-zA-Z]+(?:_\{?[a-zA-Z0-9]+\}?)?\s*=\s*(?=[^=])/.exec(s);
  if (eq && s.indexOf('=', eq[0].length) < 0) s = s.slice(eq[0].length);
  // Trailing unit words after a number: `12 apples`, `5 cm`, `3 square feet`.
  const unit =
    s.length >= 500
      ? null
      : /^(.*?[0-9}])\s+([a-zA-Z][a-zA-Z./^0-9]*(?:\s+[a-zA-Z][a-zA-Z./^0-9]*)*)$/.exec(s);
  if (unit && s.length < 500 && !unit[2].split(/\s+/).some((w) => MATH_WORDS.has(w.toLowerCase())))
    s = unit[1];
  // Thousands separators: only a plain number such as 1,234,567.89 or 1 234 567.
  if (/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (/^[+-]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/ /g, '');
  // Digits apart are two numbers (`1 2`), never one (`12`).
  s = s.replace(/(\d)\s+(?=\d)/g, '$1,');
  s = s
    .replace(/(\\[a-zA-Z]+)\s+/g, '$1\u0000')
    .replace(/\s+/g, '')
    .replace(/\u0000/g, ' ');
  // 0.50 → 0.5, 3.0 → 3, +5 → 5
  if (/^[+-]?\d+\.\d*$/.test(s)) s = s.replace(/\.?0+$/, '') || '0';
  s = s.replace(/^\+(?=\d)/, '');
  return { text: s, percent };
}
