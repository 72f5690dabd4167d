import { createLauncher } from './createLauncher.ts';
import { createPythonWorker } from './createPythonWorker.ts';

/** Symbolic equivalence through sympy, in a long-lived sandboxed Python worker. */
export interface SympyCas {
  /**
   * Whether two expressions in sympy syntax (`sqrt(2)/2`, `x**2 - 1`, `pi/3`) are equal: structurally,
   * by `simplify(a - b) == 0`, numerically (|a - b| <= 1e-9·max(1, |b|)) or by `a.equals(b)`.
   * `timeout` when sympy took longer than `timeoutMs` (the worker is killed and restarted);
   * `error` when either side does not parse.
   */
  equal(a: string, b: string, timeoutMs?: number): Promise<'equal' | 'different' | 'error' | 'timeout'>;
  close(): void;
}

/**
 * Starts a sympy worker under bubblewrap (parse_expr evaluates Python, so it never runs unsandboxed
 * unless `unsafe`). Defaults: Debian's /usr/bin/python3, `timeoutMs` 3000 per call, `memoryMb` 1024.
 * The worker starts (and imports sympy, ~0.5 s) on the first call.
 */
export function createCas({
  python = '/usr/bin/python3',
  timeoutMs = 3000,
  memoryMb = 1024,
  unsafe = false,
}: {
  python?: string;
  timeoutMs?: number;
  memoryMb?: number;
  unsafe?: boolean;
} = {}): SympyCas {
  const launcher = createLauncher({ python, unsafe, scratchMb: 8 });
  const worker = createPythonWorker({ launcher, memoryMb, timeoutMs, preloadSympy: true });
  return {
    async equal(a, b, callTimeoutMs = timeoutMs) {
      const reply = await worker.call('equal', { a, b }, callTimeoutMs);
      if (reply.timeout) return 'timeout';
      const result = reply.result;
      return result === 'equal' || result === 'different' ? result : 'error';
    },
    close() {
      worker.close();
      launcher.close();
    },
  };
}
