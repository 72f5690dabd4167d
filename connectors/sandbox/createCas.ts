import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLauncher } from './createLauncher.ts';
import { createPythonWorker } from './createPythonWorker.ts';

/** Where scripts/setup.d/25-math-verify.sh installs Math-Verify: under /usr, which the sandbox sees. */
export const DEFAULT_PYLIB = '/usr/local/lib/arboretum/pylib';

/** What one Math-Verify comparison found. */
export interface CasVerdict {
  readonly result: 'equal' | 'different' | 'error' | 'timeout';
  /** What Math-Verify parsed (`1/2 vs 0.5`), or why it failed. */
  readonly detail: string;
}

/** Symbolic equivalence through sympy and Math-Verify, in a long-lived sandboxed Python worker. */
export interface SympyCas {
  /**
   * Whether two expressions in sympy syntax (`sqrt(2)/2`, `x**2 - 1`, `pi/3`) are equal: structurally,
   * by `simplify(a - b) == 0`, numerically (|a - b| <= 1e-9·max(1, |b|)) or by `a.equals(b)`.
   * `timeout` when sympy took longer than `timeoutMs` (the worker is killed and restarted);
   * `error` when either side does not parse.
   */
  equal(a: string, b: string, timeoutMs?: number): Promise<'equal' | 'different' | 'error' | 'timeout'>;
  /**
   * Math-Verify's `verify(parse(gold), parse(pred))` on two LaTeX texts (e.g. `$x \geq 5$`): relations,
   * intervals, sets, matrices with their shape, equations, units in `\text{}`. `timeout` after `timeoutMs`
   * (the worker is killed and restarted); `error` when the gold does not parse or Math-Verify is missing.
   * Verdicts are kept by (gold, pred) in an LRU of `cacheSize` pairs (a problem's answers recur across a
   * batch); timeouts and errors are not kept.
   */
  verify(gold: string, pred: string, timeoutMs?: number): Promise<CasVerdict>;
  close(): void;
}

/**
 * Starts a sympy + Math-Verify worker under bubblewrap (parse_expr evaluates Python and Math-Verify parses
 * model text, so it never runs unsandboxed unless `unsafe`). Defaults: Debian's /usr/bin/python3,
 * `timeoutMs` 3000 per call, `memoryMb` 1024, Math-Verify from `pylib` (DEFAULT_PYLIB, or $ARBORETUM_PYLIB).
 * The worker starts (and imports sympy and Math-Verify, ~1 s) on the first call.
 */
export function createCas({
  python = '/usr/bin/python3',
  timeoutMs = 3000,
  memoryMb = 1024,
  unsafe = false,
  pylib = process.env.ARBORETUM_PYLIB || DEFAULT_PYLIB,
  cacheSize = 10_000,
}: {
  python?: string;
  timeoutMs?: number;
  memoryMb?: number;
  unsafe?: boolean;
  pylib?: string;
  /** Verdicts kept by (gold, pred), and parses kept in the worker; 0 turns both off. Default 10,000. */
  cacheSize?: number;
} = {}): SympyCas {
  const launcher = createLauncher({ python, unsafe, scratchMb: 8 });
  const env: Record<string, string> = { ARBORETUM_PYLIB: pylib, ARBORETUM_PRELOAD_MATH_VERIFY: '1' };
  const worker = createPythonWorker({ launcher, memoryMb, timeoutMs, preloadSympy: true, env });
  const missing = !existsSync(join(pylib, 'math_verify'));
  // Map keeps insertion order: the first key is the least recently used.
  const kept = new Map<string, CasVerdict>();
  return {
    async equal(a, b, callTimeoutMs = timeoutMs) {
      const reply = await worker.call('equal', { a, b }, callTimeoutMs);
      if (reply.timeout) return 'timeout';
      const result = reply.result;
      return result === 'equal' || result === 'different' ? result : 'error';
    },
    async verify(gold, pred, callTimeoutMs = timeoutMs) {
      if (missing) {
        return {
          result: 'error',
          detail: `math-verify is not installed in ${pylib} (run scripts/setup.d/25-math-verify.sh)`,
        };
      }
      const key = `${gold}\u0000${pred}`;
      const hit = kept.get(key);
      if (hit) {
        kept.delete(key);
        kept.set(key, hit);
        return hit;
      }
      const reply = await worker.call('verify', { gold, pred, cache: cacheSize > 0 }, callTimeoutMs);
      if (reply.timeout) return { result: 'timeout', detail: `cas timeout (${callTimeoutMs} ms)` };
      const result = reply.result;
      const detail = typeof reply.detail === 'string' ? reply.detail : String(reply.error ?? '');
      if (result !== 'equal' && result !== 'different') return { result: 'error', detail };
      const verdict: CasVerdict = { result, detail };
      if (cacheSize > 0) {
        kept.set(key, verdict);
        if (kept.size > cacheSize) kept.delete(kept.keys().next().value as string);
      }
      return verdict;
    },
    close() {
      worker.close();
      launcher.close();
    },
  };
}
