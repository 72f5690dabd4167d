/**
 * Reads one LaTeX argument starting at `i` (spaces skipped): a balanced `{…}` group, a `\command`, or one
 * character. Returns its content and the index after it; null when braces do not balance.
 */
export function readGroup(s: string, i: number): { text: string; end: number } | null {
  while (s[i] === ' ') i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const c = s[j];
      if (c === '\\') j++;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return { text: s.slice(i + 1, j), end: j + 1 };
    }
    return null;
  }
  if (s[i] === '\\') {
    const m = /^\\(?:[a-zA-Z]+|.)/.exec(s.slice(i));
    return m ? { text: m[0], end: i + m[0].length } : null;
  }
  return { text: s[i], end: i + 1 };
}
