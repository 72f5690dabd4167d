/**
 * The bracket at `s[i]`, as math answers nest them: `(`, `[`, `{` and LaTeX's `\{` open, `)`, `]`, `}` and `\}` close.
 * Returns its signed width in characters: 1 or 2 (`\{`) for an opening bracket, -1 or -2 (`\}`) for a closing one,
 * 0 for anything else (a lone backslash included). A number, not an object: scans call it on every character of
 * answers up to 50 KB.
 */
export function bracketAt(s: string, i: number): number {
  const c = s[i];
  if (c === '\\') {
    const next = s[i + 1];
    return next === '{' ? 2 : next === '}' ? -2 : 0;
  }
  if (c === '(' || c === '[' || c === '{') return 1;
  if (c === ')' || c === ']' || c === '}') return -1;
  return 0;
}
