import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCas, type SympyCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { reference } from '../../connectors/sources/adapterFields.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { gradeMath } from '../../pipelines/grade/gradeMath.ts';
import { normalizeMath } from '../../pipelines/grade/normalizeMath.ts';
import { parseAction } from '../../pipelines/grade/parseAction.ts';
import type { Instruction } from '../../schemas/types.ts';

let cas: SympyCas;
beforeAll(() => {
  cas = createCas({ timeoutMs: 2000 });
});
afterAll(() => cas?.close());

// [gold, prediction, reason] from the answer styles of GSM8K (`#### n`), MATH (`\boxed{}`), MathQA,
// NumGLUE and TabMWP, as actors write them.
const CORRECT: [string, string, string][] = [
  [
    'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72',
    'She sold 72 clips in total.\n\nAnswer:\n\\boxed{72}',
    'exact',
  ],
  ['#### 1000', 'The answer is 1,000.', 'exact'],
  ['1234567', '1,234,567', 'exact'],
  ['18', '\\$18.00', 'exact'],
  ['18', '18 dollars', 'exact'],
  ['5', '5\\text{ cm}', 'exact'],
  ['12', '12 apples', 'exact'],
  ['90^\\circ', '90', 'exact'],
  ['30', '30^{\\circ}', 'exact'],
  ['x=3', '3', 'exact'],
  ['0.5', '\\frac{1}{2}', 'numeric'],
  ['\\dfrac{3}{4}', '3/4', 'numeric'],
  ['\\frac12', '0.5', 'numeric'],
  ['-\\frac{2}{3}', '\\frac{-2}{3}', 'numeric'],
  ['2.50', '2.5', 'exact'],
  ['1.5e3', '1500', 'numeric'],
  ['50\\%', '0.5', 'percent'],
  ['0.25', '25%', 'percent'],
  ['50\\%', '50', 'exact'],
  ['\\frac{\\sqrt{3}}{2}', '\\frac{1}{2}\\sqrt{3}', 'equivalent'],
  ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}', 'equivalent'],
  ['\\sqrt{8}', '2\\sqrt{2}', 'equivalent'],
  ['\\sqrt[3]{27}', '3', 'equivalent'],
  ['\\frac{\\pi}{3}', '\\pi/3', 'equivalent'],
  ['2\\pi', '2 \\pi', 'exact'],
  ['x^2+2x+1', '(x+1)^2', 'equivalent'],
  ['\\frac{x^2-1}{x-1}', 'x+1', 'equivalent'],
  ['e^{2}', '\\exp(2)', 'equivalent'],
  ['[2, \\infty)', '[2,\\infty)', 'exact'],
  ['(-\\infty, 3) \\cup (5, \\infty)', '(5,\\infty)\\cup(-\\infty,3)', 'equivalent'],
  ['(1, \\frac{1}{2})', '(1, 0.5)', 'equivalent'],
  ['(3, -2)', '3, -2', 'equivalent'],
  ['\\{1, 2, 3\\}', '\\{3, 1, 2\\}', 'equivalent'],
  ['1, 2', 'x=2, x=1', 'equivalent'],
  ['\\text{(C)}', '(C)', 'exact'],
  ['\\text{Monday}', 'monday', 'exact'],
  ['1000000', '1 000 000', 'exact'],
  ['1, 2', '1 \\text{ and } 2', 'exact'],
  ['\\frac{\\pi}{2}', 'π/2', 'equivalent'],
  ['300000', '3 × 10^5', 'equivalent'],
  ['\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}', '(1, -2)', 'exact'],
  [
    '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\\\ \\end{pmatrix}',
    '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}',
    'equivalent',
  ],
  ['\\frac 1 2', '\\frac{1}{2}', 'exact'],
];

const INCORRECT: [string, string][] = [
  ['72', '7.2'],
  ['72', '720'],
  ['#### 18', '\\boxed{17}'],
  ['10', '10.5'],
  ['\\frac{1}{3}', '0.33'],
  ['3', '3x'],
  ['x+1', 'x-1'],
  ['(1, 2)', '[1, 2]'],
  ['[2, \\infty)', '(2, \\infty)'],
  ['(1, 2)', '(2, 1)'],
  ['\\{1, 2\\}', '\\{1, 2, 3\\}'],
  ['\\sqrt{2}', '\\sqrt{3}'],
  ['\\frac{\\pi}{3}', '1.05'],
  ['50\\%', '0.05'],
  ['2', '-2'],
  ['12', ''],
  ['(C)', '(D)'],
  ['12', '1 2'],
  ['12', '1 \\text{ and } 2'],
  ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '(2, 1)'],
  // A matrix keeps its shape: a 2×2 matrix is neither a 1×4 row nor a 4-tuple.
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 & 3 & 4 \\end{pmatrix}'],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '(1, 2, 3, 4)'],
  ['2.25', '2 \\cdot \\frac{1}{4}'],
  ['\\frac{1}{2}', '2\\frac{1}{4}'],
  ['111', '0,111'],
  ['5 \\text{ cm}', '5 \\text{ km}'],
  ['5 cm', '5 km'],
];

describe('gradeMath', () => {
  it.each(CORRECT)('%s ≡ %s (%s)', async (gold, pred, reason) => {
    expect(await gradeMath(gold, pred, { cas })).toEqual({ correct: true, reason });
  });

  it.each(INCORRECT)('%s ≢ %s (near-miss stays incorrect)', async (gold, pred) => {
    expect((await gradeMath(gold, pred, { cas })).correct).toBe(false);
  });

  it('reads a response of any length, and bounds only the CAS, saying so', async () => {
    // Summing k^k up to a million: sympy does not finish; the worker is killed after timeoutMs.
    expect(await gradeMath('1', '\\boxed{\\sum_{k=1}^{10^{6}} k^{k}}', { cas, timeoutMs: 1000 })).toEqual({
      correct: false,
      reason: 'cas timeout (1000 ms)',
    });
    const long = `${'We add the numbers one by one, 3 + 4 = 7. '.repeat(1200)}\n#### 42`;
    expect(long.length).toBeGreaterThan(50_000);
    expect(await gradeMath('42', long, { cas })).toEqual({ correct: true, reason: 'exact' });
    expect(await gradeMath('1', '9'.repeat(200_000), { cas })).toEqual({
      correct: false,
      reason: 'different',
    });
    expect(await gradeMath('1', `${'('.repeat(500)}1${')'.repeat(500)}`, { cas })).toMatchObject({
      correct: true,
    });
    // Adversarial 50 KB responses are read to the end (linear scans), and end as no answer.
    for (const junk of [
      '\\boxed{'.repeat(7000),
      '\\('.repeat(25_000),
      '$'.repeat(50_000),
      '<think>'.repeat(7000),
    ]) {
      expect(await gradeMath('1', junk, { cas })).toEqual({ correct: false, reason: 'no answer' });
    }
    // The CAS is usable again after it was killed.
    expect(await gradeMath('\\sqrt{4}', '2', { cas })).toEqual({ correct: true, reason: 'equivalent' });
  });

  it('an answer cannot talk sympy’s worker into a verdict', async () => {
    // Prints a reply for every call id the worker could be waiting on.
    const lines = Array.from({ length: 3000 }, (_, i) => `{"id": ${i}, "result": "equal"}`).join('\\n');
    const forge = `print('${lines}')`;
    expect(await cas.equal(forge, '2')).not.toBe('equal');
    expect(await cas.equal(`${forge} or 1`, '2')).not.toBe('equal');
    expect(await cas.equal(`__import__('os').write(1, b'{"id": 1, "result": "equal"}')`, '2')).not.toBe(
      'equal',
    );
    expect((await gradeMath('2', `\\text{print('{"id": 3, "result": "equal"}')}`, { cas })).correct).toBe(
      false,
    );
    expect(await cas.equal('1 + 1', '2')).toBe('equal');
    const forged = `$\\text{${'{"id": 7, "result": "equal"}\\n'.repeat(50)}}$`;
    expect((await cas.verify('$2$', forged)).result).not.toBe('equal');
  });

  it('without a CAS, symbolic equivalence is not claimed', async () => {
    expect(await gradeMath('x^2+2x+1', '(x+1)^2')).toEqual({
      correct: false,
      reason: 'undecided without a CAS',
    });
    expect(await gradeMath('\\frac{1}{2}', '0.5')).toEqual({ correct: true, reason: 'numeric' });
  });

  it('an integer is equal to itself in every format an actor writes, and never to a neighbour', async () => {
    const withCommas = (n: number) => n.toLocaleString('en-US');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -10_000_000, max: 10_000_000 }), fc.nat(5), async (n, style) => {
        const gold = `#### ${n}`;
        const s = String(n);
        const pred = [`\\boxed{${s}}`, `${withCommas(n)}`, `${s}.00`, `$${s}$`, `Answer: ${s}`, `x = ${s}`][
          style
        ];
        expect((await gradeMath(gold, pred)).correct).toBe(true);
        expect((await gradeMath(gold, `\\boxed{${n + 1}}`)).correct).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('createGrader, Math_CoT', () => {
  it('reads the whole response with the math extraction: a later Final Answer wins over a boxed guess', async () => {
    const sandbox = createSandbox({ concurrency: 1 });
    try {
      const grader = createGrader({ sandbox, cas });
      const instruction: Instruction = {
        id: 'm-1',
        task: 'Math_CoT',
        dataset: 'test',
        instruction: 'How many?',
        reference: reference({ answer: '5' }),
        metadata: {},
      };
      const text =
        'Step 1: maybe $\\boxed{3}$.\nStep 2: no, that double counts.\nFinal Answer: The final answer is $5$.';
      const v = await grader.grade(instruction, { ...parseAction(text), text });
      expect(v).toEqual({ correct: true, grader: 'math', detail: 'exact', graderVersion: 'math-2' });
      const wrong = text.replace('$5$', '$3$').replace('\\boxed{3}', '\\boxed{5}');
      expect((await grader.grade(instruction, { ...parseAction(wrong), text: wrong })).correct).toBe(false);
    } finally {
      await sandbox.close();
    }
  });
});

describe('normalizeMath', () => {
  it('strips the marks around an answer', () => {
    expect(normalizeMath('$\\boxed{\\dfrac{1}{2}}$.')).toMatchObject({
      text: '\\frac{1}{2}',
      percent: false,
    });
    expect(normalizeMath('\\left( 1, 2 \\right)')).toMatchObject({ text: '(1,2)', percent: false });
    expect(normalizeMath('45\\%')).toMatchObject({ text: '45', percent: true });
  });

  it('keeps a unit it knows aside, whatever text command holds it', () => {
    expect(normalizeMath('10\\textbf{ cm}')).toEqual({ text: '10', latex: '10', percent: false, unit: 'cm' });
    expect(normalizeMath('10\\textnormal{ kilometers}')).toMatchObject({ text: '10', unit: 'km' });
    expect(normalizeMath('3 square feet')).toMatchObject({ text: '3', unit: 'ft^2' });
    expect(normalizeMath('3 n')).toMatchObject({ text: '3,n'.replace(',', ''), unit: null });
    expect(normalizeMath('185\\')).toMatchObject({ text: '185' });
    expect(normalizeMath('1,\\!000')).toMatchObject({ text: '1000' });
    expect(normalizeMath('1{,}000')).toMatchObject({ text: '1000' });
    expect(normalizeMath('0,111')).toMatchObject({ text: '0,111' });
  });
});
