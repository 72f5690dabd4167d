import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCas, type SympyCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../../connectors/sandbox/sandboxTypes.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { gradeCode } from '../../pipelines/grade/gradeCode.ts';
import { graderVersion } from '../../pipelines/grade/graderVersion.ts';
import { parseAction } from '../../pipelines/grade/parseAction.ts';
import type { Instruction, Task } from '../../schemas/types.ts';

let sandbox: Sandbox;
let cas: SympyCas;
beforeAll(() => {
  sandbox = createSandbox({ concurrency: 2 });
  cas = createCas();
});
afterAll(async () => {
  cas?.close();
  await sandbox?.close();
});

// Codeforces 4A "Watermelon": can w kilos be split into two even, positive parts?
const WATERMELON = [
  { input: '8\n', output: 'YES\n' },
  { input: '2\n', output: 'NO\n' },
  { input: '1\n', output: 'NO\n' },
  { input: '100\n', output: 'YES\n' },
  { input: '7', output: 'NO' },
];

describe('gradeCode (code-contest stdin/stdout)', () => {
  it('passes a correct solution, whatever its trailing whitespace', async () => {
    const code = 'w = int(input())\nprint("YES " if w > 2 and w % 2 == 0 else "NO")';
    expect(await gradeCode(sandbox, { code, tests: WATERMELON })).toEqual({
      correct: true,
      reason: 'passed 5/5',
      passed: 5,
      total: 5,
    });
  });

  it('fails the classic near-miss (forgets w = 2) at the test that shows it', async () => {
    const code = 'w = int(input())\nprint("YES" if w % 2 == 0 else "NO")';
    expect(await gradeCode(sandbox, { code, tests: WATERMELON })).toMatchObject({
      correct: false,
      reason: 'test 2: wrong answer',
      passed: 1,
    });
  });

  it('reports runtime errors, timeouts and syntax errors', async () => {
    const crash = await gradeCode(sandbox, {
      code: 'print(1 // int(input()) - 1)',
      tests: [{ input: '0', output: '0' }],
    });
    expect(crash).toMatchObject({
      correct: false,
      reason: 'test 1: runtime error: ZeroDivisionError: integer division or modulo by zero',
    });
    const slow = await gradeCode(sandbox, {
      code: 'w = int(input())\nwhile w > 7: pass\nprint("NO")',
      tests: WATERMELON.slice(2),
      perTestTimeoutMs: 300,
    });
    expect(slow).toMatchObject({ correct: false, reason: 'test 2: timeout', passed: 1 });
    const syntax = await gradeCode(sandbox, { code: 'def f(:\n  pass', tests: WATERMELON });
    expect(syntax.correct).toBe(false);
    expect(syntax.reason).toMatch(/^syntax error: SyntaxError/);
    expect(await gradeCode(sandbox, { code: 'print(1)', tests: [] })).toMatchObject({
      correct: false,
      reason: 'no tests',
    });
    expect(await gradeCode(sandbox, { code: '  ', tests: WATERMELON })).toMatchObject({
      correct: false,
      reason: 'no code',
    });
  });

  it('grades function-call tests with an entry point (TACO fn_name style)', async () => {
    const tests = [
      { input: '[[1, 2, 3]]', output: '[6]' },
      { input: '[[]]', output: '[0]' },
      { input: '[[-1, 1, 10]]', output: '[10]' },
    ];
    const good = await gradeCode(sandbox, {
      code: 'def total(xs):\n    return sum(xs)',
      tests,
      entryPoint: 'total',
    });
    expect(good).toMatchObject({ correct: true, reason: 'passed 3/3' });
    const bad = await gradeCode(sandbox, {
      code: 'def total(xs):\n    return sum(xs[1:])',
      tests,
      entryPoint: 'total',
    });
    expect(bad).toMatchObject({ correct: false, reason: 'test 1: wrong answer' });
    const missing = await gradeCode(sandbox, {
      code: 'def other(xs):\n    return 0',
      tests,
      entryPoint: 'total',
    });
    expect(missing.reason).toMatch(/test 1: runtime error: NameError/);
  });
});

describe('gradeCode (assert-style test programs: HumanEval check, MBPP asserts)', () => {
  // MBPP task 11, its test_list as three tests.
  const REMOVE_OCC = [
    'assert remove_Occ("hello","l") == "heo"',
    'assert remove_Occ("abcda","a") == "bcd"',
    'assert remove_Occ("PHP","P") == "H"',
  ].map((input) => ({ input, output: '' }));
  const GOOD =
    'def remove_Occ(s, ch):\n    i = s.find(ch)\n    if i >= 0: s = s[:i] + s[i + 1:]\n' +
    '    j = s.rfind(ch)\n    if j >= 0: s = s[:j] + s[j + 1:]\n    return s\n';

  it('passes a correct solution and names the first failing assert of a near-miss', async () => {
    expect(await gradeCode(sandbox, { code: GOOD, tests: REMOVE_OCC, testKind: 'assert' })).toEqual({
      correct: true,
      reason: 'passed 3/3',
      passed: 3,
      total: 3,
    });
    // The near-miss removes only the first occurrence.
    const firstOnly = 'def remove_Occ(s, ch):\n    return s.replace(ch, "", 1)\n';
    expect(await gradeCode(sandbox, { code: firstOnly, tests: REMOVE_OCC, testKind: 'assert' })).toEqual({
      correct: false,
      reason: 'test 1: assertion failed: assert remove_Occ("hello","l") == "heo"',
      passed: 0,
      total: 3,
    });
  });

  it('runs HumanEval-style check(candidate) with its entry point, and a demo __main__ block does not run', async () => {
    const check =
      'def check(candidate):\n    assert candidate([1, 2, 3]) == 6\n    assert candidate([]) == 0, "empty list"\n\ncheck(total)\n';
    const tests = [{ input: check, output: '' }];
    const code =
      'def total(xs):\n    return sum(xs)\n\nif __name__ == "__main__":\n    print(total(list(map(int, input().split()))))\n';
    expect(await gradeCode(sandbox, { code, tests, testKind: 'assert', entryPoint: 'total' })).toMatchObject({
      correct: true,
      reason: 'passed 1/1',
    });
    const wrong = 'def total(xs):\n    return sum(xs) if xs else None\n';
    expect(await gradeCode(sandbox, { code: wrong, tests, testKind: 'assert' })).toMatchObject({
      correct: false,
      reason: 'test 1: assertion failed: assert candidate([]) == 0, "empty list"',
    });
    const missing = 'def sum_all(xs):\n    return sum(xs)\n';
    expect((await gradeCode(sandbox, { code: missing, tests, testKind: 'assert' })).reason).toMatch(
      /^test 1: runtime error: NameError: name 'total' is not defined/,
    );
  });

  it('an early exit and a hang in the solution fail; set-up code runs before each assert', async () => {
    const exits = 'import sys\ndef remove_Occ(s, ch):\n    return s\nsys.exit(0)\n';
    expect(await gradeCode(sandbox, { code: exits, tests: REMOVE_OCC, testKind: 'assert' })).toMatchObject({
      correct: false,
      reason: 'test 1: exited before the test ran',
    });
    const hangs = 'def remove_Occ(s, ch):\n    while True: pass\n';
    expect(
      await gradeCode(sandbox, { code: hangs, tests: REMOVE_OCC, testKind: 'assert', perTestTimeoutMs: 300 }),
    ).toMatchObject({ correct: false, reason: 'test 1: timeout' });
    const setUp = [{ input: 'import math\nassert hyp(3, 4) == 5.0', output: '' }];
    const usesMath = 'def hyp(a, b):\n    return math.sqrt(a * a + b * b)\n';
    expect(await gradeCode(sandbox, { code: usesMath, tests: setUp, testKind: 'assert' })).toMatchObject({
      correct: true,
    });
  });
});

function instruction(task: Task, reference: Partial<Instruction['reference']>): Instruction {
  return {
    id: `t-${task}`,
    task,
    dataset: 'test',
    instruction: '…',
    reference: {
      answer: null,
      solution: null,
      tests: null,
      choices: null,
      entryPoint: null,
      testKind: null,
      ...reference,
    },
    metadata: {},
  };
}

describe('createGrader (the dispatcher the grower calls)', () => {
  it('chooses the grader by task', async () => {
    const grader = createGrader({ sandbox, cas });
    const coding = instruction('Coding', { tests: WATERMELON });
    const action = parseAction(
      'Step 1: read w\n```python\n# Step 2: answer\nw = int(input())\nprint("YES" if w > 2 and w % 2 == 0 else "NO")\n```',
    );
    expect(await grader.grade(coding, action)).toEqual({
      correct: true,
      grader: 'code',
      detail: 'passed 5/5',
      graderVersion: graderVersion.code,
    });
    expect(await grader.grade(coding, { ...action, syntaxOk: false })).toMatchObject({
      correct: false,
      grader: 'code',
      detail: 'syntax error',
    });

    const cot = instruction('Math_CoT', { answer: '\\frac{\\sqrt{3}}{2}' });
    expect(await grader.grade(cot, parseAction('Step 1: …\nAnswer:\n\\boxed{\\sqrt{3}/2}'))).toMatchObject({
      correct: true,
      grader: 'math',
      detail: 'equivalent',
    });
    expect(await grader.grade(cot, parseAction('Step 1: …'))).toMatchObject({
      correct: false,
      grader: 'math',
      detail: 'no answer',
    });

    const pot = instruction('Math_PoT', { answer: '72' });
    const program = parseAction('Step 1: add\n```python\nprint(48 + 48 // 2)\n```');
    expect(await grader.grade(pot, program)).toMatchObject({
      correct: true,
      grader: 'math',
      detail: 'exact',
    });
    const wrong = parseAction('Step 1: add\n```python\nprint(48 + 48 * 2)\n```');
    expect(await grader.grade(pot, wrong)).toMatchObject({
      correct: false,
      grader: 'math',
      detail: 'different',
    });
    // A notebook cell runs after the branch's earlier cells: alone, `half` would be undefined.
    const later = parseAction('Step 2: add\n```python\nprint(48 + half)\n```');
    expect(await grader.grade(pot, { ...later, priorCells: ['half = 48 // 2'] })).toMatchObject({
      correct: true,
      detail: 'exact',
    });
    expect(await grader.grade(pot, later)).toMatchObject({
      correct: false,
      detail: 'no answer (program failed)',
    });

    const logic = instruction('Logic', { answer: 'C', choices: ['a', 'b', 'c', 'd'] });
    expect(await grader.grade(logic, parseAction('<solution> C </solution>'))).toMatchObject({
      correct: true,
      grader: 'logic',
      detail: 'letter',
    });
    const prose = 'No, it does not logically follow: the premise covers only some members.';
    const yesNo = instruction('Logic', { answer: 'no' });
    // parseAction finds no answer marker in prose; the logic grader reads the whole response.
    expect(parseAction(prose).answer).toBeNull();
    expect(await grader.grade(yesNo, { ...parseAction(prose), text: prose })).toMatchObject({
      correct: true,
      grader: 'logic',
      detail: 'yes-no',
    });
    expect(await grader.grade(instruction('Logic', {}), parseAction('Answer: C'))).toMatchObject({
      correct: false,
      grader: 'logic',
      detail: 'reference has no answer',
    });
  });
});

describe('arboretum grade', () => {
  const run = promisify(execFile);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'arboretum-grade-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('grades a JSONL batch in order; a malformed line prints {id, error} and the rest go on', async () => {
    const file = join(dir, 'in.jsonl');
    const lines = [
      { id: 'm1', task: 'math', gold: 'Janet has 16 eggs … #### 18', pred: 'She makes \\boxed{18} dollars.' },
      { id: 'm2', task: 'math', gold: '18', pred: '\\boxed{17}' },
      'this is not json',
      {
        id: 'c1',
        task: 'code',
        code: 'print(sum(map(int, input().split())))',
        tests: [{ input: '1 2', output: '3' }],
      },
      { id: 'c2', task: 'code', code: 'print(1)', tests: [{ input: '1' }] },
      { id: 'l1', task: 'logic', gold: 'yes', pred: 'Yes.' },
      { id: 'x1', task: 'poetry', gold: 'a', pred: 'b' },
    ];
    writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    const out = await run('node', ['bin/arboretum.js', 'grade', '--batch', file]).catch((e) => e);
    expect(out.code).toBe(1);
    const rows = out.stdout
      .trim()
      .split('\n')
      .map((l: string) => JSON.parse(l));
    expect(rows).toEqual([
      { id: 'm1', correct: true, reason: 'exact' },
      { id: 'm2', correct: false, reason: 'different' },
      { id: null, error: expect.stringMatching(/in\.jsonl:3: not JSON/) },
      { id: 'c1', correct: true, reason: 'passed 1/1' },
      { id: 'c2', error: expect.stringMatching(/in\.jsonl:5: tests\[0\] must be/) },
      { id: 'l1', correct: true, reason: 'yes-no' },
      { id: 'x1', error: expect.stringMatching(/in\.jsonl:7: "task" must be/) },
    ]);
  });

  it('grades one math case', async () => {
    const { stdout } = await run('node', [
      'bin/arboretum.js',
      'grade',
      'math',
      '--gold',
      '\\frac{1}{2}',
      '--pred',
      '0.5',
    ]);
    expect(JSON.parse(stdout)).toEqual({ correct: true, reason: 'numeric' });
  });

  it('grades assert-style code lines and concluding logic answers in a batch', async () => {
    const file = join(dir, 'kinds.jsonl');
    const check = 'def check(candidate):\n    assert candidate(2, 3) == 5\n\ncheck(add)\n';
    const lines = [
      {
        id: 'a1',
        task: 'code',
        code: 'def add(x, y):\n    return x + y',
        tests: [{ input: check, output: '' }],
        testKind: 'assert',
      },
      {
        id: 'a2',
        task: 'code',
        code: 'def add(x, y):\n    return x * y',
        tests: [{ input: check, output: '' }],
        testKind: 'assert',
      },
      { id: 'a3', task: 'code', code: 'print(1)', tests: [{ input: '', output: '1' }], testKind: 'prose' },
      {
        id: 'l2',
        task: 'logic',
        gold: 'yes',
        pred: 'The correct answer is yes.\nSome write The answer is "no" but they misread it.',
      },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n'));
    const out = await run('node', ['bin/arboretum.js', 'grade', '--batch', file]).catch((e) => e);
    expect(out.code).toBe(1);
    expect(
      out.stdout
        .trim()
        .split('\n')
        .map((l: string) => JSON.parse(l)),
    ).toEqual([
      { id: 'a1', correct: true, reason: 'passed 1/1' },
      { id: 'a2', correct: false, reason: 'test 1: assertion failed: assert candidate(2, 3) == 5' },
      {
        id: 'a3',
        error: expect.stringMatching(
          /kinds\.jsonl:3: "testKind" must be "stdio", "call" or "assert", got "prose"/,
        ),
      },
      { id: 'l2', correct: true, reason: 'yes-no' },
    ]);
  });
});
