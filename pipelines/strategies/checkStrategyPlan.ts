import { ArboretumError } from '../../schemas/errors.ts';
import type { StrategyPlan } from '../../schemas/types.ts';
import { strategiesOf } from './strategiesOf.ts';
import { strategyPolicies } from './strategyPolicies.ts';

const TASKS = ['Coding', 'Math_CoT', 'Math_PoT', 'Logic'];

/**
 * Throws INVALID_CONFIG (naming `where`, the strategy and the field) unless the plan can choose for every task: a
 * known policy, a whole seed, unique names, known tasks, an instruction, finite weights >= 0, and for each task a
 * strategy (with weight > 0 under `weighted`).
 */
export function checkStrategyPlan(plan: StrategyPlan, where = 'grow config'): void {
  const bad = (what: string): never => {
    throw new ArboretumError('INVALID_CONFIG', `${where}: strategies${what}`);
  };
  if (!(strategyPolicies as readonly string[]).includes(plan.policy))
    bad(`.policy must be one of ${strategyPolicies.join(', ')}, got ${JSON.stringify(plan.policy)}`);
  if (!Number.isSafeInteger(plan.seed)) bad(`.seed must be a whole number, got ${JSON.stringify(plan.seed)}`);
  const names = new Set<string>();
  for (const s of plan.library) {
    const at = `.library[${s.name}]`;
    if (typeof s.name !== 'string' || !s.name) bad('.library: every strategy needs a name');
    if (names.has(s.name)) bad(`${at}: the name is used twice`);
    names.add(s.name);
    if (typeof s.instruction !== 'string' || !s.instruction.trim())
      bad(`${at}.instruction must be a non-empty text`);
    if (!Array.isArray(s.tasks) || !s.tasks.length) bad(`${at}.tasks must list tasks (${TASKS.join(', ')})`);
    for (const t of s.tasks)
      if (!TASKS.includes(t))
        bad(`${at}.tasks: unknown task ${JSON.stringify(t)} (known: ${TASKS.join(', ')})`);
    if (!(Number.isFinite(s.weight) && s.weight >= 0))
      bad(`${at}.weight must be a number >= 0, got ${JSON.stringify(s.weight)}`);
  }
  for (const task of TASKS) {
    const options = strategiesOf(plan, task);
    if (!options.length) bad(`: no strategy applies to ${task}`);
    if (plan.policy === 'weighted' && !options.some((s) => s.weight > 0))
      bad(`: every strategy of ${task} has weight 0 under the weighted policy`);
  }
}
