import { createJudge } from '../../cli/createJudge.ts';
import type { ActionJudge } from '../../pipelines/grow/actionJudge.ts';

/** The real environment (bubblewrap sandbox, sympy CAS, graders) as the grower's judge, wired as the CLI wires it. */
export async function realJudge(): Promise<{ judge: ActionJudge; close(): Promise<void> }> {
  return createJudge();
}
