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

/**
 * Port of the math comparison engine: Math-Verify's `verify(parse(gold), parse(pred))` on two LaTeX texts
 * (`$x \\geq 5$`), time-bounded. Implemented by connectors/sandbox/createCas in the sandboxed worker.
 */
export interface Cas {
  verify(
    gold: string,
    pred: string,
    timeoutMs?: number,
  ): Promise<{ result: 'equal' | 'different' | 'error' | 'timeout'; detail: string }>;
}

/** The part of the sandbox the graders use (a port: connectors/sandbox/createSandbox implements it). */
export interface CodeRunner {
  run(request: ExecRequest): Promise<ExecResult>;
  runTests(request: TestsRequest): Promise<TestsOutcome>;
}
