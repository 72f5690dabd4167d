import { readGroup } from './readGroup.ts';
import { splitTopLevel } from './splitTopLevel.ts';
import { unitOf } from './unitOf.ts';

/** A final math answer in canonical form, with the marks removed on the way. */
export interface NormalizedMath {
  /** Canonical text for exact and numeric comparison: no spaces except after a `\command`. */
  readonly text: string;
  /** The same answer as LaTeX for Math-Verify: delimiters, units, separators gone, spacing kept. */
  readonly latex: string;
  /** The answer ended in a percent sign (`50\%`, `50 percent`). */
  readonly percent: boolean;
  /** The unit it was written with, canonical (`cm`, `km^2`, `h`), when it is one we know; else null. */
  readonly unit: string | null;
}

/** Text commands holding a unit or a word answer. Longest names first: `\textbf` must not read as `\text`. */
const TEXT_COMMANDS =
  /\\(?:textnormal|textbf|textit|textrm|textsf|text|mathrm|mathbf|mbox|operatorname)(?![a-zA-Z])\s*/g;

/** Replaces every `\name{…}` matched by `names` by what `keep(content, isLast)` returns (balanced braces). */
function replaceCommand(s: string, names: RegExp, keep: (content: string, atEnd: boolean) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    names.lastIndex = i;
    const m = names.exec(s);
    if (!m) return out + s.slice(i);
    const from = m.index + m[0].length;
    const g = s[from] === '{' ? readGroup(s, from) : null;
    if (!g) {
      out += s.slice(i, from);
      i = from;
      continue;
    }
    out += s.slice(i, m.index) + keep(g.text, s.slice(g.end).trim() === '');
    i = g.end;
  }
}

/** `a = b = c` → `c`: the last side of an equation chain (two or more `=` outside brackets). */
function lastOfChain(s: string): string {
  const sides = splitTopLevel(s, '=');
  if (!sides || sides.length < 3) return s;
  // `x=2, x=1` is a list of labelled values, not a chain.
  if ((splitTopLevel(s, ',') ?? []).length > 1) return s;
  if (sides.some((x) => /[<>]$|\\(?:le|ge|leq|geq|neq)$/.test(x.trim()))) return s;
  return sides[sides.length - 1].trim();
}

/**
 * A vector — a matrix of one column or one row — is the tuple of its cells (`(1, -2)`), so that it equals
 * the tuple a model writes; a matrix of several rows and columns stays a matrix and keeps its shape.
 */
function vectorAsTuple(s: string): string {
  const m = /^\\begin\{([pbvB]?matrix|array)\}(\{[^{}]*\})?([\s\S]*?)\\end\{\1\}$/.exec(s);
  if (!m) return s;
  const rows = m[3]
    .split('\\\\')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const cells = rows.map((r) => r.split('&').map((c) => c.trim()));
  if (cells.length > 1 && cells.every((r) => r.length === 1)) return `(${cells.map((r) => r[0]).join(', ')})`;
  if (cells.length === 1 && cells[0].length > 1) return `(${cells[0].join(', ')})`;
  return s;
}

/**
 * Canonical form of a final math answer: no `$`/`\(`/`\[`, no `\left`/`\right`/spacing commands,
 * `\dfrac`→`\frac`, no degrees, percent, currency, units (in `\text{}`, `\textbf{}`, `\textnormal{}`,
 * `\mathrm{}` or as trailing words; kept aside in `unit`), no thousands separators (`1,000`, `1,\!000`,
 * `1{,}000`, `1 000`), no trailing period or backslash (`185\`), last side of an equation chain, `x =`
 * prefix off unless `dropLabel` is false (the other side is an equation). Pure and linear in the input.
 */
export function normalizeMath(
  raw: string,
  { dropLabel = true }: { dropLabel?: boolean } = {},
): NormalizedMath {
  let s = raw.trim();
  for (let again = true; again; ) {
    const before = s;
    s = s.replace(/^\\\(([\s\S]*)\\\)$/, '$1').replace(/^\\\[([\s\S]*)\\\]$/, '$1');
    s = s.replace(/^\$+/, '').replace(/\$+$/, '').trim();
    const box = /^\\(?:boxed|fbox)\s*\{/.exec(s);
    if (box) {
      const g = readGroup(s, box[0].length - 1);
      if (g && g.end === s.length) s = g.text.trim();
    }
    s = s.replace(/[.。]$/, '').trim();
    again = s !== before;
  }
  // Thousands separators written in LaTeX: 1,\!000 and 1{,}000.
  s = s.replace(/(\d)\s*(?:,\\!|\{,\})\s*(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/\\(?:displaystyle|left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])/g, '');
  s = s
    .replace(/(?<!\\)\\[,;:! ]/g, ' ')
    .replace(/~/g, ' ')
    .replace(/\u2212/g, '-');
  s = s
    .replace(/π/g, '\\pi ')
    .replace(/∞/g, '\\infty ')
    .replace(/×/g, '\\times ')
    .replace(/÷/g, '\\div ')
    .replace(/[·⋅]/g, '\\cdot ')
    .replace(/√/g, '\\sqrt')
    .replace(/≤/g, '\\leq ')
    .replace(/≥/g, '\\geq ')
    .replace(/≠/g, '\\neq ');
  s = s.replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  // A lone trailing backslash (`185\`) is a typo; `\\` (a matrix row end) is kept.
  s = s.replace(/(^|[^\\])\\$/, '$1').trim();
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
  // `1 \text{ or } 2`, `1 and 2`: a list, never the number 12.
  s = s
    .replace(/\\(?:text|mbox|textnormal|textrm)\s*\{\s*(?:and|or|,)\s*\}/g, ',')
    .replace(/\s+(?:and|or)\s+/g, ',');
  // \text{…}: the whole answer when nothing else is there, else a unit (kept aside) or a word to drop.
  let unit: string | null = null;
  // `\text{ ft}^2` is one unit: the power goes inside.
  s = s.replace(/(\\(?:textnormal|textrm|text|mathrm|mbox)\s*\{[^{}]*)\}\s*\^\s*\{?([23])\}?/g, '$1^$2}');
  const only =
    /^\\(?:textnormal|textbf|textit|textrm|textsf|text|mathrm|mathbf|mbox|operatorname)\s*\{([^{}]*)\}$/.exec(
      s,
    );
  if (only) s = only[1].trim();
  else {
    s = replaceCommand(s, TEXT_COMMANDS, (content, atEnd) => {
      const u = atEnd ? unitOf(content) : null;
      if (u) {
        unit = u;
        return ' ';
      }
      // `\mathrm{d}`, `\mathbf{v}`: a symbol, kept; a word in text is dropped as a unit we do not know.
      if (/^\s*[a-zA-Z]\s*$/.test(content) || !/^[\sa-zA-Z.\-/^0-9]*$/.test(content)) return content;
      return ' ';
    });
  }
  s = s.trim();
  // Trailing unit words after a number: `5 cm`, `3 square feet`, `12 km/h`.
  const words = s.length < 400 ? /^(.*?[0-9}])\s+([a-zA-Z][a-zA-Z./^0-9 ]*)$/.exec(s) : null;
  if (words && unit === null) {
    // A single letter after a number is a variable (`3 n`), a unit only inside \text{} (`3 \text{ m}`).
    const u = /[a-zA-Z]{2}/.test(words[2]) ? unitOf(words[2]) : null;
    if (u) {
      unit = u;
      s = words[1].trim();
    } else if (/^[a-zA-Z]{3,}(?:\s+[a-zA-Z]{2,})*$/.test(words[2].trim())) s = words[1].trim();
  }
  s = lastOfChain(s);
  s = vectorAsTuple(s);
  // `x = 3` → `3` (one variable, one equals sign).
  const eq = /^\\?[a-zA-Z]+(?:_(?:\{[a-zA-Z0-9]+\}|[a-zA-Z0-9]))?\s*=\s*(?=[^=])/.exec(s);
  if (dropLabel && eq && s.indexOf('=', eq[0].length) < 0 && !/[<>]/.test(s)) s = s.slice(eq[0].length);
  // `x=2, x=1` → `2, 1`: every element labelled by a name.
  const items = dropLabel ? splitTopLevel(s, ',') : null;
  const label = /^\s*\\?[a-zA-Z]+(?:_(?:\{[a-zA-Z0-9]+\}|[a-zA-Z0-9]))?\s*=\s*(?=[^=])/;
  if (items && items.length > 1 && items.every((x) => label.test(x) && x.split('=').length === 2)) {
    s = items.map((x) => x.replace(label, '').trim()).join(', ');
  }
  // Thousands separators of a plain number: 1,234,567.89 and 1 234 567 (never 0,111: no group starts with 0).
  if (/^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (/^[+-]?[1-9]\d{0,2}(?: \d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/ /g, '');
  const latex = s.trim();
  // Digits apart are two numbers (`1 2`), never one (`12`).
  let text = latex.replace(/(\d)\s+(?=\d)/g, '$1,');
  text = text
    .replace(/(\\[a-zA-Z]+)\s+/g, '$1\u0000')
    .replace(/\s+/g, '')
    .replace(/\u0000/g, ' ');
  // 0.50 → 0.5, 3.0 → 3, +5 → 5
  if (/^[+-]?\d+\.\d*$/.test(text)) text = text.replace(/\.?0+$/, '') || '0';
  text = text.replace(/^\+(?=\d)/, '');
  return { text, latex, percent, unit };
}
