import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instruction, Reference } from '../../schemas/types.ts';
import { realJudge } from './realJudge.ts';

let env: Awaited<ReturnType<typeof realJudge>>;
beforeAll(async () => {
  env = await realJudge();
});
afterAll(async () => {
  await env.close();
});

const ref = (r: Partial<Reference>): Reference => ({
  answer: null,
  solution: null,
  tests: null,
  choices: null,
  entryPoint: null,
  testKind: null,
  ...r,
});
const inst = (task: Instruction['task'], reference: Reference): Instruction => ({
  id: `j-${task}`,
  task,
  dataset: 'test',
  instruction: 'x',
  reference,
  metadata: {},
});
const py = (code: string) => `Step 1: compute.\n\`\`\`python\n# Step 1: compute\n${code}\n\`\`\``;

describe('createGradeJudge over the real sandbox and graders', () => {
  it('Math_PoT: runs the code as the next notebook cell of its branch; the last printed line answers', async () => {
    const pot = inst('Math_PoT', ref({ answer: '1145' }));
    const j = await env.judge.judge(pot, py('total = base + 90 * 3\nprint(total)'), ['base = 125 * 7']);
    expect(j).toMatchObject({
      syntaxOk: true,
      observation: '1145',
      answer: '1145',
      correct: true,
      grader: 'math',
    });
    // A program that fails in its notebook has no answer, though it would print one run alone: it is run once,
    // with the earlier cells, and graded on that run.
    const failsInNotebook = py("import sys\nif 'base' in globals(): sys.exit(1)\nprint(1145)");
    expect(await env.judge.judge(pot, failsInNotebook, ['base = 125 * 7'])).toMatchObject({
      answer: null,
      correct: false,
      grader: 'math',
      detail: 'no answer (program failed)',
    });
    expect(await env.judge.judge(pot, failsInNotebook, [])).toMatchObject({ answer: '1145', correct: true });
    const fail = await env.judge.judge(pot, py('print(undefined_name)'), []);
    expect(fail.correct).toBe(false);
    expect(fail.observation).toMatch(/NameError/);
  });

  it('drops code that fails the syntax check (syntaxOk false), with the error as observation', async () => {
    const j = await env.judge.judge(inst('Math_PoT', ref({ answer: '1' })), py('print(1'), []);
    expect(j).toMatchObject({ syntaxOk: false, correct: false, grader: 'syntax' });
    expect(j.observation).toMatch(/SyntaxError|never closed|unexpected EOF/);
  });

  it('Coding: graded by the tests, the grader detail is the observation', async () => {
    const coding = inst(
      'Coding',
      ref({
        tests: [
          { input: '1 2\n', output: '3\n' },
          { input: '5 5\n', output: '10\n' },
        ],
      }),
    );
    const right = await env.judge.judge(coding, py('a, b = map(int, input().split())\nprint(a + b)'), []);
    expect(right).toMatchObject({ correct: true, grader: 'code' });
    const wrong = await env.judge.judge(coding, py('a, b = map(int, input().split())\nprint(a - b)'), []);
    expect(wrong.correct).toBe(false);
    expect(wrong.observation).toBe(wrong.detail);
    expect(wrong.observation.length).toBeGreaterThan(0);
  });

  it('Math_CoT and Logic: graded on the final answer, nothing run', async () => {
    const cot = await env.judge.judge(
      inst('Math_CoT', ref({ answer: '\\frac{1}{2}' })),
      'Step 1: halve.\nAnswer:\n\\boxed{0.5}',
      [],
    );
    expect(cot).toMatchObject({ correct: true, code: null, observation: '' });
    const logic = await env.judge.judge(
      inst('Logic', ref({ answer: 'D', choices: ['a', 'b', 'c', 'd'] })),
      'Step 1: read.\nAnswer:\n\\boxed{D}',
      [],
    );
    expect(logic).toMatchObject({ correct: true, grader: 'logic' });
  });
});
