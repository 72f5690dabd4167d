/** The value of a plain number: integer, decimal, scientific, `a/b` or `\frac{a}{b}` with integers, signed; else null. */
export function parseNumber(s: string): number | null {
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return Number(s);
  const slash = /^([+-]?)\(?(\d+(?:\.\d+)?)\)?\/\(?(\d+(?:\.\d+)?)\)?$/.exec(s);
  if (slash) return ratio(slash[1], slash[2], slash[3]);
  const frac = /^([+-]?)\\frac(?:\{([+-]?\d+(?:\.\d+)?)\}|(\d))(?:\{(\d+(?:\.\d+)?)\}|(\d))$/.exec(s);
  if (frac) return ratio(frac[1], frac[2] ?? frac[3], frac[4] ?? frac[5]);
  return null;
}

function ratio(sign: string, num: string, den: string): number | null {
  const d = Number(den);
  if (d === 0) return null;
  const v = Number(num) / d;
  return sign === '-' ? -v : v;
}
