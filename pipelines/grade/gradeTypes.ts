import type {
  ExecRequest,
  ExecResult,
  TestsOutcome,
  TestsRequest,
} from '../../connectors/sandbox/sandboxTypes.ts';

/** The outcome of one grader: whether the prediction matches, and why (e.g. `numeric`, `timeout`). */
export interface Verdict {
  readonly correct: boolean;
  readonly reason: string;
}

/** What the dispatcher returns; maps onto the VerdictReached event (grader: math | code | logic). */
export interface GradeResult {
  readonly correct: boolean;
  readonly grader: 'math' | 'code' | 'logic';
  readonly detail: string;
  /** The deciding grader's version (pipelines/grade/graderVersion.ts), e.g. `logic-2`. */
  readonly graderVersion?: string;
}

/** Port of a computer algebra system: is `a` equal to `b` (sympy syntax)? Implemented by createCas. */
export interface Cas {
  equal(a: string, b: string, timeoutMs?: number): Promise<'equal' | 'different' | 'error' | 'timeout'>;
}

/** The part of the sandbox the graders use (a port: connectors/sandbox/createSandbox implements it). */
export interface CodeRunner {
  run(request: ExecRequest): Promise<ExecResult>;
  runTests(request: TestsRequest): Promise<TestsOutcome>;
}
