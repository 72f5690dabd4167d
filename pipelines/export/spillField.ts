/** A text as a field of a tab-separated spill record: tabs and newlines written as `\t` / `\n` (two characters). */
export const spillField = (s: string): string =>
  /[\t\n]/.test(s) ? s.replace(/\t/g, '\\t').replace(/\n/g, '\\n') : s;
