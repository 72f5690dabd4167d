import { finalAnswerOf } from './finalAnswerOf.ts';

/** An actor's action split into its parts. */
export interface ParsedAction {
  /** Text of each `Step N:` marker in order (also markers inside code comments, `# Step 3:`). */
  readonly steps: readonly string[];
  /** The code to execute: every `<execute>` block, else every fenced python block, joined by newlines. */
  readonly code: string | null;
  /** The final answer: the last `<solution>` content, else the last `\boxed{}`, `Answer:` or `#### ` answer. */
  readonly answer: string | null;
  /** Result of the Python syntax check of `code` (set by the caller through sandbox.checkSyntax). */
  readonly syntaxOk?: boolean;
}

const STEP = /(?:^|\n)[ \t]*(?:#+[ \t]*)?(?:\*\*)?Step[ \t]+(\d+)[ \t]*(?:\*\*)?[ \t]*[:.][ \t]*(?:\*\*)?/g;
const EXECUTE = /<execute>([\s\S]*?)(?:<\/execute>|$)/g;
const SOLUTION = /<solution>([\s\S]*?)(?:<\/solution>|$)/g;
const FENCE = /```[ \t]*(python3?|py|)[ \t]*\n([\s\S]*?)(?:```|$)/g;

/**
 * Splits an action into steps, code and final answer (pure; no syntax check: see sandbox.checkSyntax).
 * Understands `Step N:` markers, `<execute>`/`<solution>` tags (the Eurus interaction format), fenced
 * python blocks (an unclosed fence at the end counts, as a truncated generation would leave it), and
 * final answers written as the last `\boxed{}`, `#### x` (GSM8K) or an `Answer:` line.
 */
export function parseAction(text: string): ParsedAction {
  const steps: string[] = [];
  const marks = [...text.matchAll(STEP)];
  for (let k = 0; k < marks.length; k++) {
    const from = marks[k].index! + marks[k][0].length;
    const to = k + 1 < marks.length ? marks[k + 1].index! : text.length;
    let body = text
      .slice(from, to)
      .split(/```|<execute>|<solution>|<\/execute>|<\/solution>|\n[ \t]*(?:Answer|Final Answer)[ \t]*:/i)[0];
    // A marker in a code comment (`# Step 3: …`) covers its line only.
    if (/^\s*#/.test(marks[k][0])) body = body.split('\n')[0];
    steps.push(body.trim());
  }

  const executes = [...text.matchAll(EXECUTE)].map((m) => m[1].trim()).filter(Boolean);
  const solutions = [...text.matchAll(SOLUTION)].map((m) => m[1].trim());
  let code: string | null = null;
  if (executes.length) code = executes.join('\n');
  else {
    const fences = [...text.matchAll(FENCE)].map((m) => m[2].replace(/\s+$/, ''));
    if (fences.length) code = fences.join('\n');
  }

  let answer: string | null = null;
  if (solutions.length) {
    const sol = solutions[solutions.length - 1];
    // A solution holding code (Coding) stays whole; otherwise its final answer (`\boxed{5}` → `5`).
    answer = sol === '' ? null : sol.includes('```') ? sol : (finalAnswerOf(sol) ?? sol);
  } else {
    // Look for the answer outside code blocks so a `# Answer:` comment in code is not taken for it.
    const prose = text
      .replace(/```[\s\S]*?(?:```|$)/g, '\n')
      .replace(/<execute>[\s\S]*?(?:<\/execute>|$)/g, '\n');
    answer = finalAnswerOf(prose);
  }
  return { steps, code, answer };
}
