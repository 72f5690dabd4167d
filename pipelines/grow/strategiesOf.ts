import type { Task } from '../../schemas/types.ts';

/**
 * The planning strategies an actor may follow for a task (the paper's: chain-of-thought, and modular programming —
 * write small tools, then use them — where code runs, i.e. Coding and Math_PoT).
 */
export function strategiesOf(task: Task): readonly string[] {
  return task === 'Coding' || task === 'Math_PoT'
    ? ['chain-of-thought', 'modular-programming']
    : ['chain-of-thought'];
}
