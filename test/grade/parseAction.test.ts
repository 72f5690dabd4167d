import { describe, expect, it } from 'vitest';
import { parseAction } from '../../pipelines/grade/parseAction.ts';

describe('parseAction', () => {
  it('reads a Math_CoT action (UltraInteract style)', () => {
    const a = parseAction(
      'Step 1: Natalia sold 48 clips in April.\nStep 2: In May she sold half as many, 48 / 2 = 24.\nStep 3: In total 48 + 24 = 72.\n\nAnswer:\n\\boxed{72}',
    );
    expect(a.steps).toEqual([
      'Natalia sold 48 clips in April.',
      'In May she sold half as many, 48 / 2 = 24.',
      'In total 48 + 24 = 72.',
    ]);
    expect(a.code).toBeNull();
    expect(a.answer).toBe('72');
  });

  it('reads a Math_PoT action with the steps in code comments and an <execute> block', () => {
    const a = parseAction(
      'Step 1: Compute the sum.\n<execute>\n# Step 2: add\nx = 48 + 24\n# Step 3: show it\nprint(x)\n</execute>',
    );
    expect(a.steps).toEqual(['Compute the sum.', 'add', 'show it']);
    expect(a.code).toBe('# Step 2: add\nx = 48 + 24\n# Step 3: show it\nprint(x)');
    expect(a.answer).toBeNull();
  });

  it('takes the answer from <solution>, its boxed value, or keeps a coding solution whole', () => {
    expect(
      parseAction('Thought: done.\n<solution> The answer is \\boxed{\\frac{1}{2}} </solution>').answer,
    ).toBe('\\frac{1}{2}');
    expect(parseAction('<solution>\nB\n</solution>').answer).toBe('B');
    const coding = parseAction('Step 1: read input\n```python\n# Step 2: print it\nprint(input())\n```');
    expect(coding.code).toBe('# Step 2: print it\nprint(input())');
    expect(coding.steps).toEqual(['read input', 'print it']);
    const sol = parseAction('<solution>\n```python\nprint(1)\n```\n</solution>');
    expect(sol.answer).toBe('```python\nprint(1)\n```');
    expect(sol.code).toBe('print(1)');
  });

  it('reads GSM8K `####` answers, `Answer:` lines, and ignores Answer: inside code', () => {
    expect(parseAction('She has 5 left.\n#### 5').answer).toBe('5');
    expect(parseAction('Final Answer: 12').answer).toBe('12');
    expect(parseAction('```python\nprint("Answer: 3")\n```').answer).toBeNull();
  });

  it('keeps an unclosed code block of a truncated generation, and joins several blocks in order', () => {
    expect(parseAction('Step 1: go\n```python\nx = 1\nprint(x').code).toBe('x = 1\nprint(x');
    expect(parseAction('<execute>a = 1</execute> then <execute>print(a)</execute>').code).toBe(
      'a = 1\nprint(a)',
    );
  });

  it('accepts markdown step markers and nothing else', () => {
    expect(parseAction('**Step 1:** think\n**Step 2:** act').steps).toEqual(['think', 'act']);
    expect(parseAction('No steps here. A footstep: one.').steps).toEqual([]);
  });
});
