import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCas, type SympyCas } from '../../connectors/sandbox/createCas.ts';
import { gradeMath } from '../../pipelines/grade/gradeMath.ts';
import { latexToSympy } from '../../pipelines/grade/latexToSympy.ts';
import { normalizeMath } from '../../pipelines/grade/normalizeMath.ts';

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
  ['\\text{Monday}', 'monday', 'equivalent'],
  ['1000000', '1 000 000', 'exact'],
  ['1, 2', '1 \\text{ and } 2', 'exact'],
  ['\\frac{\\pi}{2}', 'π/2', 'equivalent'],
  ['300000', '3 × 10^5', 'equivalent'],
  ['\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}', '(1, -2)', 'exact'],
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
];

describe('gradeMath', () => {
  it.each(CORRECT)('%s ≡ %s (%s)', async (gold, pred, reason) => {
    expect(await gradeMath(gold, pred, { cas })).toEqual({ correct: true, reason });
  });

  it.each(INCORRECT)('%s ≢ %s (near-miss stays incorrect)', async (gold, pred) => {
    expect((await gradeMath(gold, pred, { cas })).correct).toBe(false);
  });

  it('ends pathological inputs as incorrect with reason timeout, quickly', async () => {
    const started = performance.now();
    const tower = '2^{2^{2^{2^{2^{2^{2}}}}}}';
    expect(await gradeMath(tower, `${tower}+1`, { cas, timeoutMs: 1000 })).toEqual({
      correct: false,
      reason: 'timeout',
    });
    expect(await gradeMath('1', `${'('.repeat(500)}1${')'.repeat(500)}`, { cas })).toEqual({
      correct: false,
      reason: 'timeout',
    });
    expect(await gradeMath('1', '9'.repeat(200_000), { cas })).toEqual({ correct: false, reason: 'timeout' });
    expect(performance.now() - started).toBeLessThan(10_000);
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
  });

  it('without a CAS, symbolic equivalence is not claimed', async () => {
    expect(await gradeMath('x^2+2x+1', '(x+1)^2')).toEqual({ correct: false, reason: 'different' });
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

describe('normalizeMath and latexToSympy', () => {
  it('strips the marks around an answer', () => {
    expect(normalizeMath('$\\boxed{\\dfrac{1}{2}}$.')).toEqual({ text: '\\frac{1}{2}', percent: false });
    expect(normalizeMath('\\left( 1, 2 \\right)')).toEqual({ text: '(1,2)', percent: false });
    expect(normalizeMath('45\\%')).toEqual({ text: '45', percent: true });
  });

  it('translates LaTeX to sympy syntax, and refuses relations and broken braces', () => {
    expect(latexToSympy('\\frac{\\sqrt{3}}{2}')).toBe('((sqrt(3))/(2))');
    expect(latexToSympy('\\sqrt[3]{x}')).toBe('((x)**(1/(3)))');
    expect(latexToSympy('2^{10}\\cdot\\pi')).toBe('2**(10) * pi');
    expect(latexToSympy('x \\le 3')).toBeNull();
    expect(latexToSympy('\\frac{1}{2')).toBeNull();
    expect(latexToSympy(`${'{'.repeat(100)}1${'}'.repeat(100)}`)).toBeNull();
  });
});
