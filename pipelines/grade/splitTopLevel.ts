/**
 * Splits at `sep` where no bracket is open (`()`, `[]`, `{}`, `\{ \}`), iteratively. Returns null when
 * brackets nest deeper than `maxDepth` (a pathological input).
 */
export function splitTopLevel(s: string, sep: string, maxDepth = 64): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > maxDepth) return null;
    } else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, i)) {
      parts.push(s.slice(from, i));
      from = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}
