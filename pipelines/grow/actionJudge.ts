import type { Instruction } from '../../schemas/types.ts';

/** What the environment and the grader made of one action. */
export interface Judgement {
  /** The Python code the action carried, if any. */
  readonly code: string | null;
  /** The final answer the action gave (\boxed{…}, printed value), if any. */
  readonly answer: string | null;
  /** False when the code fails the Python syntax check (the paper drops such actions). */
  readonly syntaxOk: boolean;
  /** Interpreter output or traceback ('' when nothing ran). */
  readonly observation: string;
  readonly correct: boolean;
  /** Which grader decided (e.g. math-equivalence, tests, choice). */
  readonly grader: string;
  readonly detail: string;
  /** Version of the grader that decided (pipelines/grade/graderVersion.ts); absent when unknown. */
  readonly graderVersion?: string;
}

/**
 * The environment port of the grower: parse an action, run its code in the sandbox, grade it against the reference.
 * Not responsible for the LLM nor the log. Throws a retriable ArboretumError (SANDBOX_UNAVAILABLE) when it cannot judge
 * now; a wrong or crashing action is a Judgement, not an exception.
 */
export interface ActionJudge {
  /**
   * `priorCells` is the code of the expanded actions before this one on its branch, root first: the notebook state
   * a Math_PoT action may build on (the sandbox re-runs them silently).
   */
  judge(instruction: Instruction, action: string, priorCells: readonly string[]): Promise<Judgement>;
}
