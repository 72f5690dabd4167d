import { filter, type MonoTypeOperatorFunction, map } from 'rxjs';
import type { TreeEvent, VerdictReached } from '../../schemas/types.ts';
import { isReverdict } from './isReverdict.ts';
import { nodeKeyOf } from './nodeKeyOf.ts';
import type { Reverdicts } from './reverdicts.ts';

/**
 * Gives every node its newest verdict: the grower's VerdictReached of a node that was regraded carries the newest
 * re-verdict's fields instead (same event id, seq and place in the log), and the re-verdict events themselves are
 * dropped. Downstream, the log then reads as if the grower had graded with the new grader: the same nodes complete
 * at the same clock, so rows keep their ids and order and change only where a label changed. `onLabel` is told of
 * each replaced verdict (before, after), e.g. to count changed labels.
 */
export function applyReverdicts(
  reverdicts: Reverdicts,
  onLabel?: (key: string, before: VerdictReached, after: VerdictReached) => void,
): MonoTypeOperatorFunction<TreeEvent> {
  return (source) =>
    source.pipe(
      filter((e) => !isReverdict(e)),
      map((e) => {
        const p = e.payload;
        if (p.kind !== 'VerdictReached' || reverdicts.byNode.size === 0) return e;
        const key = nodeKeyOf(e.treeId, p.nodeId);
        const newest = reverdicts.byNode.get(key);
        if (!newest) return e;
        const { kind: _k, ...before } = p;
        onLabel?.(key, before, newest.verdict);
        return { ...e, payload: { kind: 'VerdictReached' as const, ...newest.verdict } };
      }),
    );
}
