/**
 * The value of a plain number: integer, decimal, scientific, `a/b`, `\frac{a}{b}` with integers, or a
 * mixed number `918\frac{1}{2}` (= 918.5; never 918·½), signed; else null.
 */
export function parseNumber(s: string): number | null {
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return Number(s);
  const slash = /^([+-]?)\(?(\d+(?:\.\d+)?)\)?\/\(?(\d+(?:\.\d+)?)\)?$/.exec(s);
  if (slash) return ratio(slash[1], slash[2], slash[3]);
  const frac = /^([+-]?)\\frac(?:\{([+-]?\d+(?:\.\d+)?)\}|(\d))(?:\{(\d+(?:\.\d+)?)\}|(\d))$/.exec(s);
  if (frac) return ratio(frac[1], frac[2] ?? frac[3], frac[4] ?? frac[5]);
  const mixed = /^([+-]?)(\d+) ?\\frac\{(\d+)\}\{(\d+)\}$/.exec(s);
  if (mixed) {
    const part = ratio('', mixed[3], mixed[4]);
    if (part === null) return null;
    const v = Number(mixed[2]) + part;
    return mixed[1] === '-' ? -v : v;
  }
  return null;
}

function ratio(sign: string, num: string, den: string): number | null {
  const d = Number(den);
  if (d === 0) return null;
  const v = Number(num) / d;
  return sign === '-' ? -v : v;
}
