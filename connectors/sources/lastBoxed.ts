/**
 * The content of the last `\boxed{…}` (or `\fbox{…}`) in LaTeX text, nested braces and escapes kept, trimmed; null
 * when there is none. Brace-less `\boxed 5` gives the token after it (up to a space or `$`). The one copy: the
 * sources read reference answers and the graders read actors' answers with it, so both read a box alike.
 */
export function lastBoxed(text: string): string | null {
  const at = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (at < 0) return null;
  const after = /^\\(?:boxed|fbox)(\s*)(\{|([^\s${]+))?/.exec(text.slice(at));
  if (!after || after[2] === undefined) return null;
  // `\boxed 5`: a token needs a space before it (`\boxedx` is another command).
  if (after[2] !== '{') return after[1] ? after[3] : null;
  let i = at + after[0].length;
  const start = i;
  for (let depth = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start, i).trim();
  }
  return null;
}
