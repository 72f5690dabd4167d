import { MATH_GRADER_VERSION } from './mathGraderVersion.ts';

/**
 * Versions of the graders, one per grader the dispatcher names (GradeResult.grader), and `combined`, the version
 * of the whole set that `arboretum regrade` stamps on its verdicts' event ids. Bump a grader's version whenever
 * a change can turn any verdict of it (not only a reason text); the regrade of a log then re-decides its labels.
 * `syntax` is the Python syntax check the grower applies before any grader; `none` the verdict of an action that
 * gave no usable answer (no grader ran).
 */
export const graderVersion = (() => {
  const graders = {
    // math-1: the grader of main at 67872c6; math-2: Math-Verify based extraction and comparison (issue 10).
    math: MATH_GRADER_VERSION,
    // code-2: assert-style tests (HumanEval check(candidate), MBPP asserts) besides stdin/stdout and calls.
    code: 'code-2',
    // logic-2: the concluding answer (quotations set aside), prose yes/no, case-insensitive option letters.
    logic: 'logic-2',
    syntax: 'syntax-1',
    none: 'none-1',
  } as const;
  return {
    ...graders,
    combined: `${graders.math}+${graders.code}+${graders.logic}`,
  } as const;
})();
