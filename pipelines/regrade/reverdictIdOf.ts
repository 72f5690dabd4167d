import { eventIdOf } from '../../schemas/ids.ts';

/**
 * The deterministic event id of the `n`-th re-verdict (from 1) of a node, by the regrade with `graderVersion`:
 * distinct from the grower's verdict id (`<tree>/<node>/VerdictReached`), so readers keep both, and the same
 * on every re-run of the same regrade, so a repeated append is dropped downstream like any repeated event. `n`
 * keeps a return to an older grader (math-3 then math-2 again) from reusing that version's first id.
 */
export function reverdictIdOf(treeId: string, nodeId: string, graderVersion: string, n: number): string {
  return eventIdOf(treeId, nodeId, `VerdictReached@${graderVersion}#${n}`);
}
