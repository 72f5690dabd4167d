/** The content of the last `\boxed{…}` (or `\fbox{…}`) in LaTeX text, nested braces kept; null when there is none. */
export function lastBoxed(text: string): string | null {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at < 0) return null;
  let i = text.indexOf('{', at);
  if (i < 0) {
    // `\boxed 5` (no braces): up to the next space or `$`.
    const m = /^\\(?:boxed|fbox) +([^\s$]+)/.exec(text.slice(at));
    return m ? m[1] : null;
  }
  const start = ++i;
  for (let depth = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i);
  }
  return null;
}
