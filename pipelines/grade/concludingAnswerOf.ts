/** Where the concluding answer of a logic response came from (most explicit first). */
export type ConclusionSource = 'solution' | 'final' | 'marker' | 'conclusion' | 'opening' | 'whole';

/** The answer a logic response concludes with, and the rule that found it. */
export interface Conclusion {
  readonly answer: string;
  readonly source: ConclusionSource;
}

// Quotation spans: straight and curly double quotes, within one line, at most 200 characters (a quoted
// sentence, not a stray quote pairing with another one paragraphs later).
const QUOTED = /"[^"\n]{0,200}"|“[^”\n]{0,200}”|„[^“”\n]{0,200}[“”]|«[^»\n]{0,200}»/g;

function quotedSpans(text: string): Array<[number, number]> {
  return [...text.matchAll(QUOTED)].map((m) => [m.index!, m.index! + m[0].length]);
}

const inside = (spans: Array<[number, number]>, at: number) => spans.some(([a, b]) => at > a && at < b);

/**
 * The value after a marker, up to the end of its line (or the next line when the marker ends its line);
 * null when the value is a quoted verdict word or letter followed by more prose (`The answer is "no" but …`
 * mentions an answer, it does not give one). A value that is only a quotation (`Answer: "yes"`) is unquoted.
 */
function valueAfter(text: string, from: number): string | null {
  let rest = text.slice(from);
  const nl = rest.indexOf('\n');
  let line = (nl < 0 ? rest : rest.slice(0, nl)).trim();
  if (line === '' && nl >= 0) {
    rest = rest.slice(nl + 1).replace(/^\s*\n/, '');
    const next = rest.indexOf('\n');
    line = (next < 0 ? rest : rest.slice(0, next)).trim();
  }
  line = line.replace(/^\*\*\s*/, '').replace(/\s*\*\*$/, '');
  const q = /^(["“„«])([^"”“»\n]*)(["”“»])(.*)$/.exec(line);
  if (q) {
    const after = q[4].replace(/^[\s.!*)]*$/, '');
    if (after === '') return q[2].trim();
    // A quoted verdict word or letter with more prose after it is a mention; a quoted name in a span
    // (`"Weird Al" Yankovic`) is part of the answer.
    if (/^\s*(?:\(?[A-Za-z]\)?|yes|no|true|false)\s*$/i.test(q[2])) return null;
  }
  return line === '' ? null : line;
}

// Explicit final-answer markers: the response says "this is my final answer".
const FINAL =
  /\\(?:boxed|fbox)\s*\{|\bfinal answer\s*(?:is\b|:)|\*\*final answer:?\*\*:?|^[ \t]*#{1,6}[ \t]*final answer[ \t]*:?|(?:^|\n)[ \t]*####[ \t]*/gim;
// Answer markers: `Answer: X`, `**Answer:** X`, `The (correct) answer/option/choice is X`.
const MARKER =
  /(?:^|\n)[ \t]*(?:\*\*)?answer(?:\*\*)?[ \t]*[:：](?:\*\*)?|\bthe (?:correct |right |best )?(?:answer|option|choice|conclusion)(?: to (?:this|the) question)? is[: \t]*|\b(?:correct|right|best) (?:answer|option|choice) (?:is|would be)[: \t]*/gi;
// Verdict sentences: `The statement is true.`, `This claim is therefore false.` (not `is not true`).
const VERDICT =
  /\b(?:the |this |that )?(?:statement|claim|hypothesis|assertion|conclusion|answer)(?: above)? is (?:therefore |thus |hence )?(true|false|correct|incorrect)\b/gi;
// Concluding sentences: `Therefore, no.`, `So the statement is true.`, `Hence (B).`
const CONCLUSION =
  /\b(?:therefore|thus|hence|so|in conclusion|consequently|in summary|overall)\b,?[ \t]+(?:(?:the )?(?:answer|statement|claim|hypothesis|conclusion)(?: is| would be)?[ \t]+)?/gi;

function balancedBraceValue(text: string, open: number): string | null {
  let depth = 1;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open + 1, i).trim();
  }
  return null;
}

/** The last unquoted match of `re` whose value can be read, or null. */
function lastValue(text: string, re: RegExp, spans: Array<[number, number]>): string | null {
  let found: string | null = null;
  for (const m of text.matchAll(re)) {
    if (inside(spans, m.index! + (m[0].length - m[0].trimStart().length))) continue;
    const end = m.index! + m[0].length;
    const v = m[0].endsWith('{') ? balancedBraceValue(text, end - 1) : valueAfter(text, end);
    if (v !== null && v !== '') found = v;
  }
  return found;
}

/**
 * Reasoning blocks set aside: the text after the last `</think>`, or the whole text without closed blocks; null
 * when a reasoning block is still open at the end (a generation cut off mid-thought concluded nothing).
 */
function withoutReasoning(text: string): string | null {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) {
    const after = text.slice(close + '</think>'.length).trim();
    if (after !== '') return after;
  }
  const rest = text.replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi, '');
  if (/<(?:think|thinking|reasoning)>/i.test(rest)) return null;
  return rest.trim() || text;
}

/**
 * The answer a logic response concludes with. Precedence (documented in pipelines/grade/README.md):
 * reasoning blocks (`<think>…</think>`) are set aside; the last `<solution>` block is the answer region;
 * then, in order, the last explicit final-answer marker (`\boxed{}`, `Final answer:`, `The final answer
 * is`, `####`), the last answer marker (`Answer:`, `The correct answer is`), the last concluding sentence
 * (`Therefore, no`), the response's opening word when it is yes/no/true/false (`No, it does not follow…`),
 * and finally the whole (short) text. Markers inside a quotation, and a quoted value followed by more
 * prose, are mentions, not answers. Pure.
 */
export function concludingAnswerOf(text: string): Conclusion | null {
  const reasoned = withoutReasoning(text);
  if (reasoned === null) return null;
  let t = reasoned;
  const solutions = [...t.matchAll(/<solution>([\s\S]*?)(?:<\/solution>|$)/g)];
  let fromSolution = false;
  if (solutions.length) {
    const last = solutions[solutions.length - 1][1].trim();
    if (last !== '') {
      t = last;
      fromSolution = true;
    }
  }
  const spans = quotedSpans(t);
  const final = lastValue(t, FINAL, spans);
  if (final !== null) return { answer: final, source: 'final' };
  const marker = lastValue(t, MARKER, spans);
  if (marker !== null) return { answer: marker, source: 'marker' };
  if (fromSolution) return { answer: t, source: 'solution' };
  // A concluding sentence only counts when it commits to a yes/no word or an option letter right away.
  let conclusion: string | null = null;
  for (const m of t.matchAll(CONCLUSION)) {
    if (inside(spans, m.index!)) continue;
    const v = valueAfter(t, m.index! + m[0].length);
    if (v && /^(?:\(?[A-Za-z]\)|\(?[A-Z]\b[.,]?|yes\b|no\b|true\b|false\b)/i.test(v)) conclusion = v;
  }
  if (conclusion !== null) return { answer: conclusion, source: 'conclusion' };
  let verdict: string | null = null;
  for (const m of t.matchAll(VERDICT)) if (!inside(spans, m.index!)) verdict = m[1];
  if (verdict !== null) return { answer: verdict, source: 'conclusion' };
  // An opening yes/no counts when punctuation follows it (`No, it does not…`), not in `No doubt it does`.
  const opening = /^[\s*_>#]*(yes|no|true|false)(?:\*\*)?(?=[,.;:!—–]|\s+[—–-]\s|\s*$)/i.exec(t);
  if (opening) return { answer: opening[1], source: 'opening' };
  return t.trim() === '' ? null : { answer: t.trim(), source: 'whole' };
}
