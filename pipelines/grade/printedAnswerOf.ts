import type { ExecResult } from '../../connectors/sandbox/sandboxTypes.ts';

/**
 * A Math_PoT program's answer when its text wrote none: the last non-empty line it printed, trimmed, if it exited 0
 * (run as the next cell of its notebook, earlier cells included). Otherwise null and why, for the verdict's detail.
 * The one extraction: the grower's judge observes this run and the grader reads the answer from it.
 */
export function printedAnswerOf(
  run: ExecResult,
): { readonly answer: string; readonly why: null } | { readonly answer: null; readonly why: string } {
  if (run.exitCode !== 0) return { answer: null, why: run.timedOut ? 'timeout' : 'program failed' };
  const last = run.stdout.trim().split('\n').at(-1)?.trim();
  return last ? { answer: last, why: null } : { answer: null, why: 'printed nothing' };
}
