const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function tokensEqual(a: string, b: string): boolean {
  if (a === b) return true;
  // A real number in the expected output (it has a point or exponent) is compared to 1e-6, as contest
  // checkers do; integers and words must match exactly.
  if (NUMBER.test(a) && NUMBER.test(b) && /[.eE]/.test(b)) {
    const x = Number(a);
    const y = Number(b);
    return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(y));
  }
  return false;
}

/**
 * Whitespace-tolerant comparison of a program's stdout with the expected output: equal when the
 * whitespace-separated tokens are equal (line breaks, trailing spaces and blank lines do not matter;
 * reals with a decimal point in the expected output within 1e-6). Pure.
 */
export function compareOutput(actual: string, expected: string): boolean {
  const a = actual.trim().split(/\s+/);
  const e = expected.trim().split(/\s+/);
  if (a.length !== e.length) return false;
  for (let i = 0; i < a.length; i++) if (!tokensEqual(a[i], e[i])) return false;
  return true;
}
