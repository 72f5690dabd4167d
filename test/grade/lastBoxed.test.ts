import { describe, expect, it } from 'vitest';
import { lastBoxed } from '../../connectors/sources/lastBoxed.ts';
import { finalAnswerOf } from '../../pipelines/grade/finalAnswerOf.ts';

describe('lastBoxed (one copy for the sources and the graders)', () => {
  it('reads the last box, nested braces and escapes kept', () => {
    expect(lastBoxed('\\boxed{1} then \\boxed{\\frac{1}{2}}')).toBe('\\frac{1}{2}');
    expect(lastBoxed('\\boxed{a\\{b}')).toBe('a\\{b');
    expect(lastBoxed('\\fbox{7}')).toBe('7');
    expect(lastBoxed('no box')).toBeNull();
    expect(lastBoxed('\\boxed{unclosed')).toBeNull();
  });

  // Where the two copies differed: the sources' copy kept the spaces inside the braces and read no token after a
  // tab or newline, so a reference answer and an actor's answer written alike were read apart.
  it('trims the content and takes a brace-less token after any whitespace', () => {
    expect(lastBoxed('$\\boxed{ 42 }$')).toBe('42');
    expect(lastBoxed('\\boxed 5$')).toBe('5');
    expect(lastBoxed('\\boxed\t5')).toBe('5');
    expect(lastBoxed('\\boxed\n{5}')).toBe('5');
  });

  // Both copies took the next brace anywhere after `\boxed`, however far, for a brace-less box.
  it('reads a brace-less box as its token, not a later brace group', () => {
    expect(lastBoxed('so \\boxed 5 where {x} is unused')).toBe('5');
    expect(lastBoxed('\\boxedx {5}')).toBeNull();
  });

  it('is what the graders read a final answer with', () => {
    expect(finalAnswerOf('Step 1: add.\nThe sum is $\\boxed{ 12 }$.')).toBe('12');
  });
});
