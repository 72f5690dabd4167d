import { describe, expect, it } from 'vitest';
import { compareOutput } from '../../pipelines/grade/compareOutput.ts';
import { compareReturned } from '../../pipelines/grade/compareReturned.ts';

describe('compareOutput (stdin/stdout tests)', () => {
  it('tolerates whitespace differences', () => {
    expect(compareOutput('3\n', '3')).toBe(true);
    expect(compareOutput('1 2 3  \n4\n\n', '1 2 3\n4')).toBe(true);
    expect(compareOutput('1\r\n2\r\n', '1\n2\n')).toBe(true);
    expect(compareOutput('YES\n', 'YES\n')).toBe(true);
  });

  it('compares reals with a decimal point to 1e-6, integers and words exactly', () => {
    expect(compareOutput('0.3333333', '0.333333333')).toBe(true);
    expect(compareOutput('2.50', '2.5')).toBe(true);
    expect(compareOutput('0.33', '0.333333')).toBe(false);
    expect(compareOutput('3.0', '3')).toBe(false);
    expect(compareOutput('10', '1')).toBe(false);
  });

  it('keeps near-misses incorrect', () => {
    expect(compareOutput('yes', 'YES')).toBe(false);
    expect(compareOutput('1 2', '12')).toBe(false);
    expect(compareOutput('1 2 3', '1 2')).toBe(false);
    expect(compareOutput('', '0')).toBe(false);
  });
});

describe('compareReturned (entry-point tests)', () => {
  it('compares JSON values, tuples as lists, and the TACO one-element wrapping', () => {
    expect(compareReturned('[0, 1]', '[0, 1]')).toBe(true);
    expect(compareReturned('6', '[6]')).toBe(true);
    expect(compareReturned('[6]', '[[6]]')).toBe(true);
    expect(compareReturned('0.30000000000000004', '0.3')).toBe(true);
    expect(compareReturned('{"a": 1}', '{"a": 1}')).toBe(true);
    expect(compareReturned('"abc"', 'abc')).toBe(true);
  });

  it('keeps near-misses incorrect', () => {
    expect(compareReturned('[1, 0]', '[0, 1]')).toBe(false);
    expect(compareReturned('7', '[6]')).toBe(false);
    expect(compareReturned('true', '1')).toBe(false);
    expect(compareReturned(null, '1')).toBe(false);
    expect(compareReturned('"6"', '6')).toBe(false);
  });
});
