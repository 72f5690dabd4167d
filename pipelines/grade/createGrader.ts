import type { ExecResult } from '../../connectors/sandbox/sandboxTypes.ts';
import type { Instruction } from '../../schemas/types.ts';
import { gradeCode } from './gradeCode.ts';
import { gradeLogic } from './gradeLogic.ts';
import { gradeMath } from './gradeMath.ts';
import { graderVersion } from './graderVersion.ts';
import type { Cas, CodeRunner, GradeResult } from './gradeTypes.ts';
import type { ParsedAction } from './parseAction.ts';
import { printedAnswerOf } from './printedAnswerOf.ts';

/** What a grader is told of an action beyond its parts. */
export interface GradedAction extends ParsedAction {
  /** The whole response: the math and logic graders read their answer from it. */
  readonly text?: string;
  /** The code of the expanded actions before this one on its branch, root first (a Math_PoT notebook's cells). */
  readonly priorCells?: readonly string[];
  /** The run of `code` after priorCells, when the caller ran it already (the grower's judge): not run again. */
  readonly ran?: ExecResult;
}

/** Grades one parsed action against its instruction's reference. */
export interface Grader {
  grade(instruction: Instruction, action: GradedAction): Promise<GradeResult>;
}

const FENCED = /```[ \t]*(?:python3?|py)?[ \t]*\n([\s\S]*?)(?:```|$)/g;

/** The program a Coding action submits: the python block(s) of its answer, else its code. */
function programOf(action: ParsedAction): string | null {
  if (action.answer) {
    const blocks = [...action.answer.matchAll(FENCED)].map((m) => m[1]);
    if (blocks.length) return blocks.join('\n');
  }
  return action.code ?? null;
}

/**
 * The text a Math_CoT response's final answer is read from by gradeMath's own extraction (no length cap,
 * the last concluding marker wins): its last `<solution>`, else everything outside code blocks.
 */
function mathTextOf(text: string): string {
  const solutions = [...text.matchAll(/<solution>([\s\S]*?)(?:<\/solution>|$)/g)];
  if (solutions.length) return solutions[solutions.length - 1][1];
  return text.replace(/```[\s\S]*?(?:```|$)/g, '\n').replace(/<execute>[\s\S]*?(?:<\/execute>|$)/g, '\n');
}

/**
 * The grader dispatcher the grower calls, choosing by `instruction.task`:
 * Coding → gradeCode with `reference.tests` / `entryPoint` / `testKind` (stdio, call, assert) in the sandbox;
 * Math_CoT → gradeMath on the response (`action.text`, else `action.answer`) against `reference.answer`
 *   (Math-Verify through `cas`);
 * Math_PoT → the same, the answer being what the action's code prints last when it gave none (printedAnswerOf of
 *   `action.ran`, else of a run of the code after `action.priorCells`: the notebook it was written in);
 * Logic → gradeLogic on the whole response (`action.text`, else `action.answer`) with `reference.choices`.
 * Never rejects for a bad answer or reference: everything ends as `{correct: false, detail}`.
 * An action whose syntax check failed (`syntaxOk === false`) is incorrect (`syntax error`). Every result carries
 * its grader's version (`graderVersion`, see graderVersion.ts).
 */
export function createGrader({
  sandbox,
  cas,
  perTestTimeoutMs = 4000,
  mathTimeoutMs = 3000,
}: {
  sandbox: CodeRunner;
  cas?: Cas;
  perTestTimeoutMs?: number;
  mathTimeoutMs?: number;
}): Grader {
  const dispatcher: Grader = {
    async grade(instruction, action) {
      const ref = instruction.reference;
      switch (instruction.task) {
        case 'Coding': {
          if (action.syntaxOk === false) return { correct: false, grader: 'code', detail: 'syntax error' };
          const v = await gradeCode(sandbox, {
            code: programOf(action),
            tests: ref.tests ?? [],
            entryPoint: ref.entryPoint,
            testKind: ref.testKind,
            perTestTimeoutMs,
          });
          return { correct: v.correct, grader: 'code', detail: v.reason };
        }
        case 'Math_CoT':
        case 'Math_PoT': {
          if (ref.answer === null)
            return { correct: false, grader: 'math', detail: 'reference has no answer' };
          let answer =
            instruction.task === 'Math_CoT' && action.text ? mathTextOf(action.text) : action.answer;
          if (answer === null && instruction.task === 'Math_PoT' && action.code) {
            if (action.syntaxOk === false) return { correct: false, grader: 'math', detail: 'syntax error' };
            const run =
              action.ran ?? (await sandbox.run({ cells: [...(action.priorCells ?? []), action.code] }));
            const printed = printedAnswerOf(run);
            if (printed.answer === null)
              return { correct: false, grader: 'math', detail: `no answer (${printed.why})` };
            answer = printed.answer;
          }
          const v = await gradeMath(ref.answer, answer, { cas, timeoutMs: mathTimeoutMs });
          return { correct: v.correct, grader: 'math', detail: v.reason };
        }
        case 'Logic': {
          if (ref.answer === null)
            return { correct: false, grader: 'logic', detail: 'reference has no answer' };
          // The whole response, not parseAction's answer: gradeLogic finds the concluding answer itself
          // (quotations set aside, prose `No, …` read), which a math-style first/last marker gets wrong.
          const v = gradeLogic(ref.answer, action.text ?? action.answer, ref.choices);
          return { correct: v.correct, grader: 'logic', detail: v.reason };
        }
        default:
          return { correct: false, grader: 'logic', detail: `unknown task ${String(instruction.task)}` };
      }
    },
  };
  return {
    async grade(instruction, action) {
      const r = await dispatcher.grade(instruction, action);
      return { ...r, graderVersion: graderVersion[r.grader] };
    },
  };
}
