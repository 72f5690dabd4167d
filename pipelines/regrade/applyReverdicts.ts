import { filter, type MonoTypeOperatorFunction, map } from 'rxjs';
import type { TreeEvent, VerdictReached } from '../../schemas/types.ts';
import { newestVerdicts } from './newestVerdicts.ts';
import type { Reverdicts } from './reverdicts.ts';

/**
 * Gives every node its newest verdict: the grower's VerdictReached of a node that was regraded carries the newest
 * re-verdict's fields instead (same event id, seq and place in the log), and the re-verdict events themselves are
 * dropped. Downstream, the log then reads as if the grower had graded with the new grader: the same nodes complete
 * at the same clock, so rows keep their ids and order and change only where a label changed. `onLabel` is told of
 * each replaced verdict (before, after), e.g. to count changed labels. The rule is newestVerdicts'.
 */
export function applyReverdicts(
  reverdicts: Reverdicts,
  onLabel?: (key: string, before: VerdictReached, after: VerdictReached) => void,
): MonoTypeOperatorFunction<TreeEvent> {
  const newest = newestVerdicts(reverdicts, onLabel);
  return (source) =>
    source.pipe(
      map(newest),
      filter((e): e is TreeEvent => e !== null),
    );
}
