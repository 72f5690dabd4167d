import { describe, expect, it } from 'vitest';
import { bracketAt } from '../../pipelines/grade/bracketAt.ts';
import { splitTopLevel } from '../../pipelines/grade/splitTopLevel.ts';

describe('bracketAt', () => {
  // A scan steps over the width, so the brace after a backslash is read as part of it, never alone.
  it('gives the signed width of each bracket, LaTeX braces two characters wide', () => {
    const s = '(a[b]{c})\\{d\\}\\e';
    expect([...s].map((_, i) => bracketAt(s, i))).toEqual([
      1, 0, 1, 0, -1, 1, 0, -1, -1, 2, 1, 0, -2, -1, 0, 0,
    ]);
  });

  it('splitTopLevel splits only where no bracket of any kind is open', () => {
    expect(splitTopLevel('\\{1, 2\\}, (3, 4), [5, 6], {7, 8}, 9', ',')).toEqual([
      '\\{1, 2\\}',
      ' (3, 4)',
      ' [5, 6]',
      ' {7, 8}',
      ' 9',
    ]);
    expect(splitTopLevel(`${'('.repeat(65)}x`, ',')).toBeNull();
    expect(splitTopLevel(`${'('.repeat(64)}x`, ',')).toEqual([`${'('.repeat(64)}x`]);
  });
});
