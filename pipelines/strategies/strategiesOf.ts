import type { StrategyPlan, StrategySpec } from '../../schemas/types.ts';

/** The plan's strategies that apply to a task, in library order. */
export function strategiesOf(plan: StrategyPlan, task: string): readonly StrategySpec[] {
  return plan.library.filter((s) => s.tasks.includes(task));
}
