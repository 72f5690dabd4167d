// Sandbox and grader throughput, median of N runs: trivial programs per second, a 50-test code problem
// graded per second, and math answers graded per second (mixed: numeric forms, LaTeX, sympy).
// Usage: npx tsx bench/sandbox.ts [--runs 5] [--trivial 100] [--problems 10] [--answers 200] [--concurrency N]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createCas } from '../connectors/sandbox/createCas.ts';
import { createSandbox } from '../connectors/sandbox/createSandbox.ts';
import { gradeCode } from '../pipelines/grade/gradeCode.ts';
import { gradeMath } from '../pipelines/grade/gradeMath.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    trivial: { type: 'string', default: '100' },
    problems: { type: 'string', default: '10' },
    answers: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: String(cpus().length) },
  },
});
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const sandbox = createSandbox({ concurrency });
const cas = createCas();

async function timed(n: number, body: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await body();
  return n / ((performance.now() - start) / 1000);
}

// A 50-test stdin/stdout problem (sum of a list), solved correctly so every test runs.
const tests = Array.from({ length: 50 }, (_, i) => {
  const xs = Array.from({ length: 100 }, (_, j) => (i * 31 + j * 17) % 1000);
  return { input: `${xs.length}\n${xs.join(' ')}\n`, output: `${xs.reduce((a, b) => a + b, 0)}\n` };
});
const solution = 'n = int(input())\nprint(sum(map(int, input().split()[:n])))';

// Math answers in the styles the graders meet: half decided in TypeScript, half needing sympy.
const MATH: [string, string][] = [
  ['#### 72', '\\boxed{72}'],
  ['1000', '1,000'],
  ['0.5', '\\frac{1}{2}'],
  ['50\\%', '0.5'],
  ['\\$18.00', '18'],
  ['\\frac{\\sqrt{3}}{2}', '\\frac{1}{2}\\sqrt{3}'],
  ['x^2+2x+1', '(x+1)^2'],
  ['\\{1,2\\}', '\\{2,1\\}'],
  ['\\frac{\\pi}{3}', '\\pi/3'],
  ['72', '7.2'],
];

const rows: (string | number)[][] = [['measure', 'median /s', 'min /s', 'max /s', 'runs']];
async function measure(name: string, n: number, body: () => Promise<void>) {
  await body(); // warm-up (interpreter, page cache, sympy import)
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await timed(n, body));
  rows.push([name, median(rates), Math.min(...rates), Math.max(...rates), runs]);
}

const trivial = Number(values.trivial);
await measure(`trivial runs (print, concurrency ${concurrency})`, trivial, async () => {
  await Promise.all(Array.from({ length: trivial }, () => sandbox.run({ code: 'print(1)' })));
});
await measure('notebook runs (3 cells re-executed)', trivial, async () => {
  await Promise.all(
    Array.from({ length: trivial }, () =>
      sandbox.run({ cells: ['x = 1', 'def f(y):\n    return x + y', 'print(f(1))'] }),
    ),
  );
});
const problems = Number(values.problems);
await measure('50-test code problems graded', problems, async () => {
  const verdicts = await Promise.all(
    Array.from({ length: problems }, () => gradeCode(sandbox, { code: solution, tests })),
  );
  if (!verdicts.every((v) => v.correct))
    throw new Error(`bench: a verdict was wrong: ${JSON.stringify(verdicts[0])}`);
});
const answers = Number(values.answers);
await measure('math answers graded (mixed, sympy worker)', answers, async () => {
  for (let i = 0; i < answers; i++) {
    const [g, p] = MATH[i % MATH.length];
    await gradeMath(g, p, { cas });
  }
});
await measure('math answers graded (decided without sympy)', answers * 10, async () => {
  for (let i = 0; i < answers * 10; i++) {
    const [g, p] = MATH[i % 5];
    await gradeMath(g, p, { cas });
  }
});

cas.close();
await sandbox.close();
console.log(`sandbox mode ${sandbox.mode}, ${cpus().length} cores`);
printTable(rows);
