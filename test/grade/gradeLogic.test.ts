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

describe('gradeLogic: the concluding answer, as models write it', () => {
  const QUOTE =
    'Step 1: The premise says every bird in the park is a pigeon.\nStep 2: So the claim holds.\n' +
    'The correct answer is yes.\n\nA common slip is to write The answer is "no" but that ignores step 1.';
  it.each([
    ['yes', QUOTE, 'yes-no'],
    ['no', 'No, it does not logically follow: the premise only covers some members.', 'yes-no'],
    ['no', '**No.** The conclusion needs an extra assumption.', 'yes-no'],
    ['yes', 'Let me check each premise.\nAll A are B; x is A.\nTherefore, yes, x is B.', 'yes-no'],
    ['false', 'Premise 2 contradicts the claim. So the statement is false.', 'yes-no'],
    ['True', '<think>Hmm, "false"? No wait.</think>\nThe statement is supported.\nAnswer: True', 'yes-no'],
    ['yes', 'He said "the answer is no", but he misread it.\nAnswer: "yes"', 'yes-no'],
    ['B', 'Option A fails because of the date. (C) ignores the cost.\nAnswer: B', 'letter'],
    ['B', 'The answer is (A)... wait, re-reading the passage.\nFinal answer: (B)', 'letter'],
    ['B', 'Looking at A, C and D, each has a flaw.\n\n**Answer:** b)', 'letter'],
    ['C', 'C. It confuses cause and effect.', 'letter'],
    ['C', 'The best option is c', 'letter'],
    ['D', 'Thus, the correct choice is: D', 'letter'],
    ['B', 'After weighing the options, the answer is: the sample is too small.', 'letter'],
    ['B', '<solution>The sample is too small.</solution>', 'letter'],
    ['B', 'The correct answer is \\boxed{B}. Answer A is a trap.', 'letter'],
    ['C', 'Therefore (C).', 'letter'],
    ['yes', '#### Yes', 'yes-no'],
  ] as const)('%s ⇐ %j', (gold, pred, reason) => {
    expect(gradeLogic(gold, pred, CHOICES)).toEqual({ correct: true, reason });
  });

  it.each([
    ['no', QUOTE],
    ['yes', 'No, it does not logically follow.'],
    ['yes', 'Not necessarily: the premise is silent on that.'],
    ['no', 'Yes, because every member is covered.'],
    ['B', 'A sample of 20 is small, but the argument assumes its conclusion.'],
    ['B', 'The answer is (B)... no wait, re-reading it.\nFinal answer: (A)'],
    ['B', 'I would pick A or B.'],
    ['B', 'The correct answer is (B) or (C).'],
    ['C', 'Answer: B) The sample is too small.'],
    ['yes', 'The claim is "yes" according to the author, but I disagree; the answer is no.'],
    ['true', 'Answer: false'],
    ['B', 'It is not "B" but something else entirely.'],
  ] as const)('%s ⇍ %j (near-miss stays incorrect)', (gold, pred) => {
    expect(gradeLogic(gold, pred, CHOICES).correct).toBe(false);
  });
});
