import { bracketAt } from './bracketAt.ts';

/**
 * Splits at `sep` where no bracket is open (`()`, `[]`, `{}`, `\{ \}`), iteratively. Returns null when
 * brackets nest deeper than `maxDepth` (a pathological input).
 */
export function splitTopLevel(s: string, sep: string, maxDepth = 64): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const bracket = bracketAt(s, i);
    if (bracket > 0) {
      if (++depth > maxDepth) return null;
      i += bracket - 1;
    } else if (bracket < 0) {
      depth--;
      i += -bracket - 1;
    } else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}
