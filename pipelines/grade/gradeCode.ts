import type { TestCase, TestKind } from '../../schemas/types.ts';
import { compareOutput } from './compareOutput.ts';
import { compareReturned } from './compareReturned.ts';
import type { CodeRunner, Verdict } from './gradeTypes.ts';

/** A code verdict with how far the program got. */
export interface CodeVerdict extends Verdict {
  readonly passed: number;
  readonly total: number;
}

/** `assert candidate(3) == 4` from the traceback of a failed assert in a test program, or ''. */
function failedAssert(stderr: string): string {
  const lines = stderr.trim().split('\n');
  if (!/^AssertionError\b/.test(lines[lines.length - 1] ?? '')) return '';
  for (let i = lines.length - 2; i >= 0; i--) {
    const line = lines[i].trim();
    if (/^assert\b/.test(line)) return `: ${line.slice(0, 200)}`;
    if (line.startsWith('File ')) break;
  }
  return '';
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

/**
 * Runs `code` against every test in the sandbox (one process per test, `perTestTimeoutMs` each, default
 * 4000) and stops at the first failure. stdin/stdout tests compare with `compareOutput`; with
 * `entryPoint` (kind `call`) the input is a JSON argument list and the return value is compared with
 * `compareReturned`; with kind `assert` each test's input is a test program (HumanEval `check(candidate)`,
 * MBPP assert lines) run after the solution, passing when it runs to its end without an exception.
 * Reasons: `passed 12/12`, `test 3: wrong answer`, `test 3: timeout`, `test 3: runtime error: …`,
 * `test 3: assertion failed: assert f(2) == 4`, `test 3: exited before the test ran`,
 * `syntax error: …`, `no tests`, `no code`, `sandbox error: …`.
 */
export async function gradeCode(
  runner: CodeRunner,
  {
    code,
    tests,
    entryPoint = null,
    testKind = null,
    perTestTimeoutMs = 4000,
  }: {
    code: string | null;
    tests: readonly TestCase[];
    entryPoint?: string | null;
    /** Default: `call` with an entry point, else `stdio`. */
    testKind?: TestKind | null;
    perTestTimeoutMs?: number;
  },
): Promise<CodeVerdict> {
  const total = tests.length;
  if (!code?.trim()) return { correct: false, reason: 'no code', passed: 0, total };
  if (total === 0) return { correct: false, reason: 'no tests', passed: 0, total };
  let failure: string | null = null;
  let passed = 0;
  const kind: TestKind = testKind ?? (entryPoint ? 'call' : 'stdio');
  const outcome = await runner.runTests({
    code,
    inputs: tests.map((t) => t.input),
    entryPoint,
    testKind: kind,
    perTestTimeoutMs,
    onResult(r) {
      const n = r.index + 1;
      if (r.timedOut) failure = `test ${n}: timeout`;
      else if (r.signal) failure = `test ${n}: killed by ${r.signal}`;
      else if (r.exitCode !== 0 && kind === 'assert' && failedAssert(r.stderr) !== '')
        failure = `test ${n}: assertion failed${failedAssert(r.stderr)}`;
      else if (r.exitCode !== 0)
        failure = `test ${n}: runtime error: ${lastLine(r.stderr) || `exit code ${r.exitCode}`}`;
      else if (kind === 'assert') {
        if (r.completed !== true) failure = `test ${n}: exited before the test ran`;
      } else if (r.outputTruncated) failure = `test ${n}: output too large`;
      else {
        const expected = tests[r.index].output;
        const ok =
          kind === 'call' ? compareReturned(r.returned, expected) : compareOutput(r.stdout, expected);
        if (!ok) failure = `test ${n}: wrong answer`;
      }
      if (failure) return false;
      passed++;
      return true;
    },
  });
  if (outcome.compileError) {
    return { correct: false, reason: `syntax error: ${lastLine(outcome.compileError)}`, passed: 0, total };
  }
  if (failure) return { correct: false, reason: failure, passed, total };
  if (outcome.timedOut) return { correct: false, reason: `test ${passed + 1}: timeout`, passed, total };
  if (outcome.error)
    return { correct: false, reason: `sandbox error: ${lastLine(outcome.error)}`, passed, total };
  if (passed < total) return { correct: false, reason: `only ${passed}/${total} tests ran`, passed, total };
  return { correct: true, reason: `passed ${passed}/${total}`, passed, total };
}
