import { createCas } from '../../connectors/sandbox/createCas.ts';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { createGrader } from '../../pipelines/grade/createGrader.ts';
import { type ParsedAction, parseAction } from '../../pipelines/grade/parseAction.ts';
import type { ActionJudge } from '../../pipelines/grow/actionJudge.ts';
import { createGradeJudge } from '../../pipelines/grow/createGradeJudge.ts';

/** The real environment (bubblewrap sandbox, sympy CAS, graders) as the grower's judge, wired as the CLI wires it. */
export async function realJudge(): Promise<{ judge: ActionJudge; close(): Promise<void> }> {
  const sandbox = createSandbox();
  const cas = createCas();
  const grader = createGrader({ sandbox, cas });
  const judge = createGradeJudge<ParsedAction>({
    sandbox,
    parse: parseAction,
    grade: (instruction, action) => grader.grade(instruction, action),
  });
  return {
    judge,
    async close() {
      cas.close();
      await sandbox.close();
    },
  };
}
