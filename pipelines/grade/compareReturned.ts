function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i], depth + 1));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) =>
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1),
      )
    );
  }
  return a === b;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Compares an entry point's return value (JSON text; tuples arrive as arrays) with the expected output:
 * JSON deep equality with reals to 1e-6, also accepting the TACO convention of the expected value
 * wrapped in a one-element list. Expected text that is not JSON is compared with the returned text. Pure.
 */
export function compareReturned(returned: string | null, expected: string): boolean {
  if (returned === null) return false;
  const r = parse(returned);
  const e = parse(expected);
  if (!r.ok) return false;
  if (!e.ok)
    return typeof r.value === 'string' ? r.value.trim() === expected.trim() : returned === expected.trim();
  if (deepEqual(r.value, e.value)) return true;
  return Array.isArray(e.value) && e.value.length === 1 && deepEqual(r.value, e.value[0]);
}
