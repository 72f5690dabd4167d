// Math grader throughput and agreement, side by side in one run on the same cases:
//   before  — the math grader of another git ref (default main), copied from git into a temp folder;
//   after   — this tree's gradeMath (TypeScript fast path, Math-Verify in the sandboxed worker);
//   Math-Verify alone — its own parse() + verify() on the raw gold and response, in the same worker.
// The mixed corpus is pipelines/grade/corpus (our own cases, generated 20–50 KB traces, held-out public-suite
// cases). Then `arboretum grade --batch` on --long responses of 30 KB each (default 2,000): wall time,
// grades/s, and how many verdicts said timeout (must be none).
// Usage: npx tsx bench/grade.ts [--before main] [--runs 3] [--long 2000] [--skip-math-verify]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCas } from '../connectors/sandbox/createCas.ts';
import {
  heldOutCorpus,
  longResponses,
  type MathCase,
  mathCorpus,
} from '../pipelines/grade/corpus/mathCorpus.ts';
import { gradeMath } from '../pipelines/grade/gradeMath.ts';
import { printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    before: { type: 'string', default: 'main' },
    runs: { type: 'string', default: '3' },
    long: { type: 'string', default: '2000' },
    'skip-math-verify': { type: 'boolean', default: false },
  },
});
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const cas = createCas();

type Grade = (c: MathCase) => Promise<{ correct: boolean; reason: string }>;

interface Row {
  name: string;
  seconds: number;
  agree: number;
  fp: number;
  timeouts: number;
  n: number;
}

async function measure(name: string, cases: MathCase[], grade: Grade): Promise<Row> {
  const row: Row = { name, seconds: 0, agree: 0, fp: 0, timeouts: 0, n: cases.length };
  const start = performance.now();
  for (const c of cases) {
    const v = await grade(c);
    if (v.correct === c.correct) row.agree++;
    else if (v.correct) row.fp++;
    if (/timeout/.test(v.reason)) row.timeouts++;
  }
  row.seconds = (performance.now() - start) / 1000;
  return row;
}

/** The math grader of `ref`, copied from git (pipelines/grade) so that it runs beside this one. */
async function graderAt(ref: string): Promise<Grade | null> {
  let files: string[];
  try {
    files = execFileSync('git', ['ls-tree', '--name-only', ref, 'pipelines/grade/'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f.endsWith('.ts'));
  } catch {
    console.log(`(no git ref ${ref}: the "before" row is left out)`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'arboretum-grade-before-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const into = join(dir, 'pipelines/grade');
  mkdirSync(into, { recursive: true });
  for (const f of files) {
    writeFileSync(
      join(dir, f),
      execFileSync('git', ['show', `${ref}:${f}`], { cwd: root, encoding: 'utf8' }),
    );
  }
  const mod = await import(join(into, 'gradeMath.ts'));
  return (c) => mod.gradeMath(c.gold, c.pred, { cas });
}

const before = await graderAt(values.before);

/** The same warm-up for every worker, before the clock: the interpreter and sympy's lazily loaded parts. */
const WARM_UP: [string, string][] = [
  ['$x \\geq 1$', '$[1, \\infty)$'],
  [
    '$\\begin{pmatrix} a & 0 \\\\ 0 & 1 \\end{pmatrix}$',
    '$\\begin{pmatrix} 1 & 0 \\\\ 0 & a \\end{pmatrix}$',
  ],
  ['$\\{a, b\\}$', '$(a, b)$'],
  ['$y = 2z + 1$', '$2z - y = -1$'],
  ['$\\frac{\\sqrt{7}}{7}$', '$7^{-1/2}$'],
];
async function warm(worker: ReturnType<typeof createCas>): Promise<void> {
  for (const [g, p] of WARM_UP) await worker.verify(g, p);
}

/** The median over --runs runs of one grader (seconds); verdicts are the same on every run. */
async function medianOf(run: () => Promise<Row>): Promise<Row> {
  const got: Row[] = [];
  for (let i = 0; i < Math.max(1, Number(values.runs)); i++) got.push(await run());
  got.sort((a, b) => a.seconds - b.seconds);
  return got[Math.floor((got.length - 1) / 2)];
}

async function compare(title: string, cases: MathCase[]): Promise<void> {
  const rows: Row[] = [];
  if (before) rows.push(await medianOf(() => measure(`before (${values.before})`, cases, before)));
  // Fresh workers for each run, warmed up alike before the clock: ours starts with empty caches, and
  // Math-Verify alone has no caches at all (its own rate, not ours). The runs interleave, so that the
  // load of a shared machine falls on both alike.
  const mineRuns: Row[] = [];
  const bareRuns: Row[] = [];
  for (let i = 0; i < Math.max(1, Number(values.runs)); i++) {
    const mine = createCas();
    await warm(mine);
    mineRuns.push(await measure('after (this tree)', cases, (c) => gradeMath(c.gold, c.pred, { cas: mine })));
    mine.close();
    if (values['skip-math-verify']) continue;
    const bare = createCas({ cacheSize: 0 });
    await warm(bare);
    bareRuns.push(
      await measure('Math-Verify alone', cases, async (c) => {
        const r = await bare.verify(c.gold, c.pred, 10_000);
        return { correct: r.result === 'equal', reason: r.result };
      }),
    );
    bare.close();
  }
  for (const runs of [mineRuns, bareRuns]) {
    if (!runs.length) continue;
    runs.sort((a, b) => a.seconds - b.seconds);
    rows.push(runs[Math.floor((runs.length - 1) / 2)]);
  }
  console.log(`\n${title}: ${cases.length} cases, median of ${values.runs} runs`);
  printTable([
    ['grader', 'seconds', 'grades/s', 'agreement %', 'false positives', 'timeouts'],
    ...rows.map((r) => [
      r.name,
      r.seconds,
      r.n / r.seconds,
      (100 * r.agree) / r.n,
      String(r.fp),
      String(r.timeouts),
    ]),
  ]);
  const after = rows.find((r) => r.name.startsWith('after'))!;
  const mv = rows.find((r) => r.name === 'Math-Verify alone');
  if (mv) console.log(`after: ${(mv.seconds / after.seconds).toFixed(1)}× Math-Verify's rate`);
}

const own = mathCorpus();
const held = heldOutCorpus().filter((c) => !c.contested);
await compare('math, own corpus (written cases + 20-50 KB think traces)', own);
await compare('math, held-out public-suite cases (uncontested)', held);
await compare('math, mixed (both)', [...own, ...held]);
await compare(
  'math, 30 KB responses (think / GSM8K / Minerva)',
  longResponses(Math.min(300, Number(values.long) || 300), 30_000, 5),
);
cas.close();

// grade --batch on long responses, through the CLI as a user runs it.
const count = Number(values.long);
if (count > 0) {
  const dir = mkdtempSync(join(tmpdir(), 'arboretum-grade-long-'));
  const cases = longResponses(count);
  const file = join(dir, 'long.jsonl');
  writeFileSync(
    file,
    cases.map((c) => JSON.stringify({ id: c.id, task: 'math', gold: c.gold, pred: c.pred })).join('\n'),
  );
  const start = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('node', [join(root, 'bin/arboretum.js'), 'grade', '--batch', file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`grade --batch exited ${code}`)),
    );
  });
  const seconds = (performance.now() - start) / 1000;
  rmSync(dir, { recursive: true, force: true });
  const verdicts = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; correct: boolean; reason: string });
  const want = new Map(cases.map((c) => [c.id, c.correct]));
  const agree = verdicts.filter((v) => want.get(v.id) === v.correct).length;
  const timeouts = verdicts.filter((v) => /timeout/.test(v.reason)).length;
  const mb = cases.reduce((s, c) => s + c.pred.length, 0) / 1e6;
  console.log(`\ngrade --batch: ${verdicts.length} responses (${mb.toFixed(1)} MB, ~30 KB each)`);
  printTable([
    ['seconds', 'grades/s', 'agreement %', 'timeout verdicts'],
    [seconds, verdicts.length / seconds, (100 * agree) / verdicts.length, String(timeouts)],
  ]);
}
