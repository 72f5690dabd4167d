import { describe, expect, it } from 'vitest';
import { gradeLogic } from '../../pipelines/grade/gradeLogic.ts';

const CHOICES = [
  'The argument assumes its conclusion.',
  'The sample is too small.',
  'It confuses cause and effect.',
  'None of the above.',
];

describe('gradeLogic', () => {
  it.each([
    ['B', 'B', 'letter'],
    ['B', '(B)', 'letter'],
    ['B', 'B) The sample is too small.', 'letter'],
    ['B', 'Answer:\nB', 'letter'],
    ['B', '<solution> B </solution>', 'letter'],
    ['B', 'The answer is (B).', 'letter'],
    ['B', 'Option B', 'letter'],
    ['(B)', '\\boxed{B}', 'letter'],
    ['B', 'the sample is too small', 'letter'],
    ['yes', 'Yes', 'yes-no'],
    ['Yes', 'yes, because the Eiffel Tower is in Paris.', 'yes-no'],
    ['True', 'true', 'yes-no'],
    ['no', 'False.', 'yes-no'],
    ["Arthur's Magazine", 'arthurs magazine', 'text'],
    ['the United States', 'United States.', 'text'],
    ['1,200', '1200', 'number'],
  ] as const)('%s ≡ %s', (gold, pred, reason) => {
    expect(gradeLogic(gold, pred, CHOICES)).toEqual({ correct: true, reason });
  });

  it.each([
    ['B', 'C'],
    ['B', 'A or B'],
    ['B', '(A) and (B)'],
    ['B', 'The sample is large enough.'],
    ['B', 'Both'],
    ['yes', 'no'],
    ['no', 'yes'],
    ['yes', 'maybe'],
    ["Arthur's Magazine", 'First for Women'],
    ['1200', '120'],
    ['Paris', ''],
  ] as const)('%s ≢ %s (near-miss stays incorrect)', (gold, pred) => {
    expect(gradeLogic(gold, pred, CHOICES).correct).toBe(false);
  });

  it('reports a missing answer', () => {
    expect(gradeLogic('B', null)).toEqual({ correct: false, reason: 'no answer' });
  });
});

describe('gradeLogic numbers', () => {
  it('does not let text normalisation merge numbers', () => {
    expect(gradeLogic('15', '1.5').correct).toBe(false);
    expect(gradeLogic('1.5', '1.50')).toEqual({ correct: true, reason: 'number' });
  });
});
