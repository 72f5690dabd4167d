/**
 * Version of the math grader's rules (extraction precedence, normalisation, unit policy, Math-Verify
 * comparison: pipelines/grade/README.md). Bump it whenever a verdict can change, so that a regrade can tell
 * old labels from new. `math-1` was the grader before Math-Verify (10,000-character cap, first rules).
 */
export const MATH_GRADER_VERSION = 'math-2';
