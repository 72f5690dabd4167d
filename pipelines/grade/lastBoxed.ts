/** Content of the last `\boxed{…}` (or `\fbox{…}`) with balanced braces, or null. */
export function lastBoxed(text: string): string | null {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at < 0) return null;
  let i = text.indexOf('{', at);
  if (i < 0) {
    // `\boxed 5`
    const m = /^\\(?:boxed|fbox)\s+([^\s$]+)/.exec(text.slice(at));
    return m ? m[1] : null;
  }
  const start = ++i;
  let depth = 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i).trim();
  }
  return null;
}
