import type { Assembled } from '../assemble/assembled.ts';
import { turnOf } from './turnOf.ts';

export interface RowFilterOptions {
  readonly task?: string;
  readonly dataset?: string;
  /** Keep rows whose turn is at least this (1-based); default no bound. */
  readonly minTurns?: number;
  /** Keep rows whose turn is at most this; default no bound. */
  readonly maxTurns?: number;
  /** Keep rows whose action's strategy is one of these (export --strategy; exportLog applies it, from the log). */
  readonly strategies?: readonly string[];
}

/** A predicate keeping the rows of a task, a dataset and a turn range (every bound optional). */
export function rowFilter({
  task,
  dataset,
  minTurns,
  maxTurns,
}: RowFilterOptions = {}): (a: Assembled) => boolean {
  return (a) => {
    if (task !== undefined && a.row.task !== task) return false;
    if (dataset !== undefined && a.row.dataset !== dataset) return false;
    const turn = turnOf(a);
    if (minTurns !== undefined && turn < minTurns) return false;
    if (maxTurns !== undefined && turn > maxTurns) return false;
    return true;
  };
}
