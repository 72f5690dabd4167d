import { createCas } from '../connectors/sandbox/createCas.ts';
import { createSandbox } from '../connectors/sandbox/createSandbox.ts';
import { createGrader } from '../pipelines/grade/createGrader.ts';
import { type ParsedAction, parseAction } from '../pipelines/grade/parseAction.ts';
import type { ActionJudge } from '../pipelines/grow/actionJudge.ts';
import { createGradeJudge } from '../pipelines/grow/createGradeJudge.ts';

/** The environment as grow wires it: the bubblewrap sandbox (unsafe: limits only), the sympy CAS and the graders. */
export function createJudge({ unsafe = false }: { readonly unsafe?: boolean } = {}): {
  judge: ActionJudge;
  close(): Promise<void>;
} {
  const sandbox = createSandbox({ unsafe });
  const cas = createCas({ unsafe });
  const grader = createGrader({ sandbox, cas });
  return {
    judge: createGradeJudge<ParsedAction>({
      sandbox,
      parse: parseAction,
      grade: (instruction, action) => grader.grade(instruction, action),
    }),
    async close() {
      cas.close();
      await sandbox.close();
    },
  };
}
