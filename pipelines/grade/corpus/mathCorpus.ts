import { seededRandom } from '../../synthetic/seededRandom.ts';
import { readCorpus } from './readCorpus.ts';

/** One grader case: does `pred` answer `gold`? (pipelines/grade/README.md) */
export interface MathCase {
  readonly id: string;
  readonly category: string;
  readonly gold: string;
  readonly pred: string;
  readonly correct: boolean;
  /** Held-out cases: the public suite it comes from, and why it is contested when suites disagree. */
  readonly source?: string;
  readonly contested?: string;
}

const STEPS = [
  'Let me reconsider the setup. ',
  'Wait, I should double-check that computation: %a + %b = %c. ',
  'Hmm, maybe the answer is \\boxed{%c}? No, that ignores the second condition. ',
  'So we have $x = %a$ and $y = %b$, giving $x + y = %c$. ',
  'Alternatively, the answer is %b, but that contradicts the constraint. ',
  'Final answer so far: %a. Let me verify by substituting back. ',
  '\\[ %a \\cdot %b = %d \\] ',
  'Okay, so that means the total is %d, which seems too large. ',
];

/**
 * R1-style responses: a `<think>` trace of 20–50 KB (wrong candidates, boxed guesses, `Final answer so far`)
 * then the concluding answer. Cases: the right answer after the trace; a wrong one; a trace that never
 * closes (no answer); the right answer only inside the trace (set aside: incorrect).
 */
export function thinkCases(count = 24, seed = 7): MathCase[] {
  const rnd = seededRandom(seed);
  const out: MathCase[] = [];
  for (let i = 0; i < count; i++) {
    const gold = String(10 + Math.floor(rnd() * 990));
    const size = 20_000 + Math.floor(rnd() * 30_000);
    let trace = '';
    while (trace.length < size) {
      const [a, b] = [Math.floor(rnd() * 100), Math.floor(rnd() * 100)];
      const step = STEPS[Math.floor(rnd() * STEPS.length)];
      trace += step
        .replaceAll('%a', String(a))
        .replaceAll('%b', String(b))
        .replaceAll('%c', String(a + b))
        .replaceAll('%d', String(a * b));
    }
    const wrong = String(Number(gold) + 1 + Math.floor(rnd() * 9));
    const kind = i % 4;
    const pred =
      kind === 0
        ? `<think>\n${trace}\n</think>\n\nThe total is $\\boxed{${gold}}$.`
        : kind === 1
          ? `<think>\n${trace}\n</think>\n\n**Answer:** ${wrong}`
          : kind === 2
            ? `<think>\n${trace} So the answer is \\boxed{${gold}}`
            : `<think>\n${trace} The answer is \\boxed{${gold}}.\n</think>\n\nI could not finish the computation.`;
    out.push({
      id: `t${String(i + 1).padStart(3, '0')}`,
      category: 'think',
      gold,
      pred,
      correct: kind === 0,
    });
  }
  return out;
}

/** The math grader's own corpus (math.jsonl, written from real answer styles) and the generated traces. */
export function mathCorpus(): MathCase[] {
  return [...readCorpus<MathCase>('math.jsonl'), ...thinkCases()];
}

/** Cases taken from public grader suites, each naming its source (heldout.jsonl); never tuned on. */
export function heldOutCorpus(): MathCase[] {
  return readCorpus<MathCase>('heldout.jsonl').map((c) => ({ ...c, category: c.source ?? 'unknown' }));
}

/**
 * `count` responses of about `size` characters each (default 30 KB), in rotating styles — an R1 trace then
 * a boxed answer, long GSM8K prose then `#### n`, a Minerva solution then `Final Answer:` — half right,
 * half wrong by one.
 */
export function longResponses(count: number, size = 30_000, seed = 11): MathCase[] {
  const rnd = seededRandom(seed);
  const out: MathCase[] = [];
  for (let i = 0; i < count; i++) {
    const gold = String(100 + Math.floor(rnd() * 9000));
    let body = '';
    while (body.length < size) {
      const [a, b] = [Math.floor(rnd() * 100), Math.floor(rnd() * 100)];
      body += `We know that ${a} + ${b} = ${a + b}, and $${a} \\cdot ${b} = ${a * b}$. `;
      if (rnd() < 0.05) body += `Maybe the answer is \\boxed{${a}}? Let me check again.\n`;
    }
    const correct = i % 2 === 0;
    const answer = correct ? gold : String(Number(gold) + 1);
    const style = i % 3;
    const pred =
      style === 0
        ? `<think>\n${body}\n</think>\n\nTherefore the answer is $\\boxed{${answer}}$.`
        : style === 1
          ? `${body}\n#### ${answer}`
          : `${body}\nFinal Answer: The final answer is $${answer}$. I hope it is correct.`;
    out.push({
      id: `l${String(i + 1).padStart(4, '0')}`,
      category: `long-${['think', 'gsm8k', 'minerva'][style]}`,
      gold,
      pred,
      correct,
    });
  }
  return out;
}
