import { lastBoxed } from '../../connectors/sources/lastBoxed.ts';

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    last = m;
    if (m[0].length === 0) re.lastIndex++;
  }
  return last;
}

/** The final answer written in free text: `\boxed{}`, `#### x`, `Answer: x` / `The answer is x`. */
export function finalAnswerOf(text: string): string | null {
  const boxed = lastBoxed(text);
  if (boxed !== null) return boxed;
  const hashes = lastMatch(/(?:^|\s)####[ \t]*([^\n]+)/g, text);
  if (hashes) return hashes[1].trim();
  const answerLine = lastMatch(
    /(?:^|\n)[ \t]*(?:\*\*)?(?:Final )?Answer(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*([^\n]*)(?:\n+[ \t]*([^\n]+))?/gi,
    text,
  );
  if (answerLine) return answerLine[1].trim() || (answerLine[2] ?? '').trim() || null;
  const theAnswer = lastMatch(/\bthe (?:final )?answer is[:\s]*([^\n]+)/gi, text);
  if (theAnswer) return theAnswer[1].trim().replace(/\.$/, '');
  return null;
}
