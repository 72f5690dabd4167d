import type { ExecRequest, ExecResult, SyntaxCheck } from '../../connectors/sandbox/sandboxTypes.ts';
import type { Instruction } from '../../schemas/types.ts';
import { printedAnswerOf } from '../grade/printedAnswerOf.ts';
import type { ActionJudge, Judgement } from './actionJudge.ts';

/** An action split into code and final answer (the shape of pipelines/grade's parseAction). */
export interface ParsedParts {
  readonly code: string | null;
  readonly answer: string | null;
}

/** What the graders say (the shape of pipelines/grade's GradeResult). */
export interface GradeOutcome {
  readonly correct: boolean;
  readonly grader: string;
  readonly detail: string;
  readonly graderVersion?: string;
}

export interface GradeJudgeOptions<P extends ParsedParts = ParsedParts> {
  /** The environment: runs notebook cells, checks syntax. */
  readonly sandbox: {
    run(request: ExecRequest): Promise<ExecResult>;
    checkSyntax(code: string): Promise<SyntaxCheck>;
  };
  readonly parse: (action: string) => P;
  /** Grades the parsed action (with its observation) against the instruction's reference. */
  readonly grade: (
    instruction: Instruction,
    action: P & {
      readonly text: string;
      readonly syntaxOk: boolean;
      readonly observation: string;
      /** The branch's earlier cells and the run of the code after them (non-Coding tasks with code): not re-run. */
      readonly priorCells: readonly string[];
      readonly ran?: ExecResult;
    },
  ) => Promise<GradeOutcome>;
  /** Longest observation kept on the log, in characters (default 4000; the cut is marked). */
  readonly maxObservation?: number;
}

const cut = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max)}\n… [${text.length - max} more characters cut]`;

/**
 * The grower's judge over the sandbox and the graders: parse the action, drop code that fails the Python syntax
 * check (syntaxOk false, as the paper), run the code of non-Coding tasks as the next notebook cell of its branch
 * (the observation is its output or traceback; a Math_PoT action without a written answer answers with the last
 * printed line), then grade. Coding actions are graded by the tests and observe the grader's detail.
 */
export function createGradeJudge<P extends ParsedParts>({
  sandbox,
  parse,
  grade,
  maxObservation = 4000,
}: GradeJudgeOptions<P>): ActionJudge {
  return {
    async judge(instruction: Instruction, text: string, priorCells: readonly string[]): Promise<Judgement> {
      const parsed = parse(text);
      let answer = parsed.answer;
      if (parsed.code !== null) {
        const syntax = await sandbox.checkSyntax(parsed.code);
        if (!syntax.ok) {
          const detail = `${syntax.error ?? 'SyntaxError'}${syntax.line !== null ? ` (line ${syntax.line})` : ''}`;
          return {
            code: parsed.code,
            answer,
            syntaxOk: false,
            observation: detail,
            correct: false,
            grader: 'syntax',
            detail,
          };
        }
      }
      let observation = '';
      let ran: ExecResult | undefined;
      if (parsed.code !== null && instruction.task !== 'Coding') {
        const run = await sandbox.run({ cells: [...priorCells, parsed.code] });
        ran = run;
        observation = run.timedOut
          ? `${run.stdout}\nTimeoutError: the code ran past its time limit`
          : run.exitCode === 0
            ? run.stdout
            : `${run.stdout}${run.stderr}`;
        observation = cut(observation.replace(/\s+$/, ''), maxObservation);
        if (answer === null && instruction.task === 'Math_PoT') answer = printedAnswerOf(run).answer;
      }
      const verdict = await grade(instruction, {
        ...parsed,
        answer,
        text,
        syntaxOk: true,
        observation,
        priorCells,
        ran,
      });
      if (instruction.task === 'Coding' && parsed.code !== null)
        observation = cut(verdict.detail, maxObservation);
      return { code: parsed.code, answer, syntaxOk: true, observation, ...verdict };
    },
  };
}
