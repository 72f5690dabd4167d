/** Where a response's final math answer was found: the rule that chose it (see pipelines/grade/README.md). */
export type AnswerMarker =
  | 'boxed'
  | 'final answer'
  | 'the answer is'
  | 'answer'
  | '####'
  | 'display math'
  | 'last math'
  | 'last number'
  | 'whole';

/** The concluding answer of a response: several when it boxed several. */
export interface ExtractedAnswer {
  readonly answers: readonly string[];
  readonly marker: AnswerMarker;
}

/** Closing tags of reasoning blocks: what precedes the last one is set aside. */
const REASONING_CLOSE = ['</think>', '</thinking>', '</reasoning>', '</thought>'];
const REASONING_OPEN = /<(?:think|thinking|reasoning|thought)>/;

/**
 * Concluding phrases, each with the rule it stands for. `Answer X` without a colon counts only when math
 * or a number follows (`Answer $9$`, `Answer 12`), never before a word (`Answer the question`).
 * Every pattern is a fixed phrase with bounded gaps: no backtracking, linear in the text.
 */
const PHRASES: { re: RegExp; marker: AnswerMarker }[] = [
  { re: /\bfinal answer(?:\*\*)?[ \t]*:/gi, marker: 'final answer' },
  { re: /\bthe final answer is\b/gi, marker: 'final answer' },
  { re: /\b(?:the|my) (?:correct )?answer is\b/gi, marker: 'the answer is' },
  { re: /\banswer(?:\*\*)?[ \t]*:/gi, marker: 'answer' },
  { re: /\banswer(?=[ \t]+(?:\$|\\\(|\\\[|[-+]?\d))/gi, marker: 'answer' },
];

/** An answer phrase starting with one of these is prose about the answer, not the answer. */
const NOT_AN_ANSWER =
  /^(?:correct|incorrect|wrong|right|that|not|because|as follows|below|above|given by|shown|clear|obvious|the same|then|to\b|in the\b|therefore)/i;

interface Hit {
  /** Where the answer text starts (just after the marker). */
  readonly at: number;
  readonly marker: AnswerMarker;
}

/** Content of the `{…}` group opening at `open` (balanced, `\{` `\}` skipped), and the index after it. */
function braced(text: string, open: number, escapes = true): { text: string; end: number } | null {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && (escapes || text[i + 1] !== '}')) i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return { text: text.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

/**
 * For each `{` of the text, the index of the `}` closing it (`\{`, `\}` skipped), else -1: one pass with a
 * stack, so that reading every box of a text is linear however many are left open.
 */
function closingBraces(text: string): Map<number, number> {
  const close = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') open.push(i);
    else if (c === '}' && open.length) close.set(open.pop() as number, i);
  }
  return close;
}

/** Longest box content read when its braces do not balance (`\boxed{185\}`), in characters. */
const TYPO_SCAN = 200;

/** Every `\boxed{…}` / `\fbox{…}` (and `\boxed 5`), in order, each read once. */
function boxes(text: string): { content: string; at: number; end: number }[] {
  const out: { content: string; at: number; end: number }[] = [];
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])[ \t]*/g;
  let matches: Map<number, number> | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const after = m.index + m[0].length;
    if (text[after] === '{') {
      matches ??= closingBraces(text);
      const close = matches.get(after);
      // `\boxed{185\}`: a trailing backslash typo leaves the braces unbalanced; read `\}` as `}` then.
      const g =
        close !== undefined
          ? { text: text.slice(after + 1, close), end: close + 1 }
          : braced(text.slice(0, after + TYPO_SCAN), after, false);
      if (!g) continue;
      out.push({ content: g.text.trim(), at: m.index, end: g.end });
      re.lastIndex = g.end;
    } else {
      const word = /^[^\s$]+/.exec(text.slice(after, after + 200));
      if (word) out.push({ content: word[0], at: m.index, end: after + word[0].length });
    }
  }
  return out.filter((b) => b.content !== '');
}

/**
 * Finds closing delimiters in one text, remembering the last answer per token: the scans of a text go left
 * to right, so every search resumes where the last one ended and reading all spans stays linear.
 */
class Closers {
  private readonly memo = new Map<string, { from: number; at: number }>();
  constructor(private readonly text: string) {}

  /** First index ≥ `from` of `token` (a `$` not escaped as `\$`), or -1. */
  next(token: string, from: number): number {
    const m = this.memo.get(token);
    if (m && m.from <= from && (m.at === -1 || m.at >= from)) return m.at;
    let at = this.text.indexOf(token, from);
    while (token === '$' && at > 0 && this.text[at - 1] === '\\') at = this.text.indexOf(token, at + 1);
    this.memo.set(token, { from, at });
    return at;
  }
}

/** Index of `close` at or after `from`; -1 when absent (or, inline, after the line's end). */
function closing(closers: Closers, close: string, from: number, inline: boolean): number {
  const at = closers.next(close, from);
  if (at < 0 || !inline) return at;
  const eol = closers.next('\n', from);
  return eol >= 0 && eol < at ? -1 : at;
}

/**
 * The math of a delimited span starting at `i` (`$$…$$`, `\[…\]`, `\(…\)`, `$…$`), or null. Inline math
 * (`$…$`, `\(…\)`) does not cross a line: a stray `$` (a price) cannot pair with one lines away.
 */
function delimited(
  text: string,
  i: number,
  closers: Closers = new Closers(text),
): { text: string; end: number } | null {
  const pairs: [string, string, boolean][] = [
    ['$$', '$$', false],
    ['\\[', '\\]', false],
    ['\\(', '\\)', true],
    ['$', '$', true],
  ];
  for (const [open, close, inline] of pairs) {
    if (!text.startsWith(open, i)) continue;
    const end = closing(closers, close, i + open.length, inline);
    if (end < 0) return null;
    return { text: text.slice(i + open.length, end).trim(), end: end + close.length };
  }
  return null;
}

/**
 * Whether the text between two answers joins them into a list: short (≤ 40 characters without math
 * delimiters) and holding a joiner — `and`, `or`, a comma or semicolon, `\quad` — as in `\boxed{1} and
 * \boxed{2}`, `$x = 3$ or $x = -3$`, `\boxed{1} papers and \boxed{2} bins`; never `\boxed{1} no no \boxed{2}`.
 */
function joins(between: string): boolean {
  const t = between.replace(/\\[()[\]]|\$/g, ' ').trim();
  if (t === '') return false;
  if (t.length > 40) return false;
  // At most two words besides the joiners (`papers and`), never a new sentence (`No, redo it all: `).
  const words = t.replace(/\\[a-zA-Z]+/g, ' ').match(/[a-zA-Z]{2,}/g) ?? [];
  if (words.filter((w) => !/^(?:and|or|text)$/i.test(w)).length > 2) return false;
  return /(?:^|[\s}])(?:and|or)(?:$|[\s\\{])|[,;]|\\q?quad/.test(t);
}

/**
 * The answer phrase at `i`: a math span or a `\boxed{}` if one opens there (several joined by `and`/`,`
 * form a list), else the text up to the end of the sentence (a period not inside a number, or the line's
 * end; on the next line when this one is empty). A phrase that is a whole sentence (`The volume is 120`)
 * gives its last math or number.
 */
function phraseAt(text: string, i: number): string {
  const skip = /^[ \t*:_"'`\\]*/.exec(text.slice(i, i + 64));
  let at = i + (skip ? skip[0].length : 0);
  if (text[at - 1] === '\\' && (text[at] === '[' || text[at] === '(' || text[at] === '$')) at--;
  if (text[at] === '\n') {
    const next = /^\n[ \t\n*]*/.exec(text.slice(at, at + 256));
    at += next ? next[0].length : 1;
  }
  const spans: string[] = [];
  for (let math = delimited(text, at); math; ) {
    spans.push(math.text);
    const rest = /^[ \t]*(?:,|;|and|or|\\text\{\s*(?:and|or)\s*\})[ \t]*/.exec(
      text.slice(math.end, math.end + 40),
    );
    math = rest ? delimited(text, math.end + rest[0].length) : null;
  }
  if (spans.length) return spans.join(', ');
  const box = /^\\(?:boxed|fbox)[ \t]*\{/.exec(text.slice(at, at + 16));
  if (box) {
    const g = braced(text, at + box[0].length - 1);
    if (g) return g.text.trim();
  }
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  // An answer phrase is a sentence: PHRASE_MAX bounds what each marker reads, so many markers stay linear.
  let line = text.slice(at, Math.min(end, at + PHRASE_MAX));
  // A sentence ends at a period (or !, ?) followed by a space or the end, never inside `3.5`.
  const stop = /[.!?](?=\s|$)/.exec(line);
  if (stop) line = line.slice(0, stop.index);
  // …and at a clause that explains it: `9 apples, since 3 times 3`, `5 because …`.
  const clause =
    /,?\s+(?:since|because|as|which|so that|so|but|then|therefore|thus|hence|where|when|for)\s/i.exec(line);
  if (clause && clause.index > 0) line = line.slice(0, clause.index);
  line = line.replace(/\*\*/g, '').trim();
  if (!standsAlone(line)) return lastExpression(line)?.text ?? line;
  return line;
}

/** The last `$…$` / `\(…\)` span of the text (read left to right, once), with where it ends. */
function lastInlineMath(text: string): { text: string; end: number } | null {
  // Spans a joiner links (`$1$ and $2$`) are one answer: a list, joined once at the end.
  let group: string[] = [];
  let end = -1;
  const closers = new Closers(text);
  let i = 0;
  while (i < text.length) {
    const d = text.indexOf('$', i);
    const p = text.indexOf('\\(', i);
    const next = d < 0 ? p : p < 0 ? d : Math.min(d, p);
    if (next < 0) break;
    if (text[next - 1] === '\\' && text[next] === '$') {
      i = next + 1;
      continue;
    }
    const span = delimited(text, next, closers);
    if (!span) {
      i = next + 1;
      continue;
    }
    if (span.text !== '') {
      if (end >= 0 && joins(text.slice(end, next))) group.push(span.text);
      else group = [span.text];
      end = span.end;
    }
    i = span.end;
  }
  return end >= 0 ? { text: group.join(', '), end } : null;
}

/** The last display math (`\[…\]` or `$$…$$`), with where it ends. */
function lastDisplayMath(text: string): { text: string; end: number } | null {
  let best: { text: string; end: number } | null = null;
  const a = text.lastIndexOf('\\[');
  if (a >= 0) {
    const end = text.indexOf('\\]', a + 2);
    if (end > 0) best = { text: text.slice(a + 2, end).trim(), end: end + 2 };
  }
  const b = text.lastIndexOf('$$');
  // `$$` closes a display opened by the previous `$$`.
  const open = b > 0 ? text.lastIndexOf('$$', b - 1) : -1;
  if (open >= 0 && (!best || b + 2 > best.end)) best = { text: text.slice(open + 2, b).trim(), end: b + 2 };
  return best?.text ? best : null;
}

/** The last display math, inline math or number of a text, whichever ends last. */
function lastExpression(text: string): { text: string; marker: AnswerMarker } | null {
  const display = lastDisplayMath(text);
  const inline = lastInlineMath(text);
  const numberRe = /[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:\/\d+)?%?/g;
  let number: { text: string; end: number } | null = null;
  for (let m = numberRe.exec(text); m; m = numberRe.exec(text)) {
    number = { text: m[0].replace(/,$/, ''), end: m.index + m[0].length };
  }
  const found = [
    display && { ...display, marker: 'display math' as const },
    inline && { ...inline, marker: 'last math' as const },
    number && { ...number, marker: 'last number' as const },
  ].filter((x) => x !== null);
  if (!found.length) return null;
  // A number inside the last math span ends before it: the span wins.
  found.sort((x, y) => y.end - x.end);
  return { text: found[0].text, marker: found[0].marker };
}

/** Longest answer phrase read after a text marker, in characters. */
const PHRASE_MAX = 2000;

/** A short answer written alone (`5 cm`, `x \in [1, 2]`, `\text{Monday}`): no sentence around it. */
function standsAlone(text: string): boolean {
  if (text.length > 400 || text.includes('\n')) return false;
  const words = text.replace(/\\[a-zA-Z]+/g, ' ').match(/[a-zA-Z]{2,}/g) ?? [];
  if (words.length > 3) return false;
  // `The probability is $\frac{1}{4}$`: words around delimited math are a sentence.
  const outside = text.replace(/\$[^$]*\$|\\\([\s\S]*?\\\)/g, ' ');
  return outside === text || !/[a-zA-Z]{2,}/.test(outside.replace(/\\[a-zA-Z]+/g, ' '));
}

/**
 * The final answer of a model's response, by this precedence (pipelines/grade/README.md):
 * 1. reasoning blocks (`<think>…</think>` and similar) are set aside: only what follows the last closing
 *    tag is read; a block that never closes means no answer;
 * 2. of the concluding markers — `\boxed{}`/`\fbox{}`, `Final Answer:`, `The final answer is`, `The answer
 *    is`, `Answer:`/`**Answer:**`/`Answer X`, `#### n` — the one that comes LAST wins (a `Final Answer:`
 *    after a `\boxed{}` wins over it); a boxed winner brings along the boxes a joiner (`and`, `,`, `or`,
 *    `\quad`) links to it: several answers;
 * 3. else the whole text when it is a short answer alone (`5 cm`, `x \in [1, 2]`);
 * 4. else the last display math (`\[…\]`, `$$…$$`), inline math or number, whichever ends last.
 * Linear in the text: each marker is found by one regex scan and only the winner's phrase is read.
 */
export function extractMathAnswer(response: string): ExtractedAnswer | null {
  let text = response;
  let closeAt = -1;
  let closeLen = 0;
  for (const tag of REASONING_CLOSE) {
    const at = text.lastIndexOf(tag);
    if (at > closeAt) [closeAt, closeLen] = [at, tag.length];
  }
  if (closeAt >= 0) text = text.slice(closeAt + closeLen);
  else if (REASONING_OPEN.test(text)) return null;
  text = text.trim();
  if (text === '') return null;

  const boxed = boxes(text);
  const hits: Hit[] = [];
  for (const { re, marker } of PHRASES) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) hits.push({ at: m.index + m[0].length, marker });
  }
  // GSM8K's `#### 72`; a Markdown heading (`#### Verification`) is no answer.
  const hashes = /(?:^|\s)####[ \t]*(?=[-+$\\.\d])/g;
  for (let m = hashes.exec(text); m; m = hashes.exec(text))
    hits.push({ at: m.index + m[0].length, marker: '####' });
  hits.sort((a, b) => b.at - a.at);
  const lastBox = boxed.length ? boxed[boxed.length - 1].at : -1;
  for (const hit of hits) {
    if (hit.at <= lastBox) break;
    const phrase = phraseAt(text, hit.at);
    if (phrase === '' || NOT_AN_ANSWER.test(phrase)) continue;
    // `Final Answer: The final answer is $100$.` — the inner phrase is the answer.
    return { answers: [phrase], marker: hit.marker };
  }
  if (boxed.length) {
    // The last box, with the boxes before it that a joiner links to it (`\boxed{1} and \boxed{2}`).
    let first = boxed.length - 1;
    while (first > 0 && joins(text.slice(boxed[first - 1].end, boxed[first].at))) first--;
    return { answers: boxed.slice(first).map((b) => b.content), marker: 'boxed' };
  }
  if (standsAlone(text)) return { answers: [text], marker: 'whole' };
  const last = lastExpression(text);
  return last ? { answers: [last.text], marker: last.marker } : null;
}
