import type { TreeEvent, VerdictReached } from '../../schemas/types.ts';
import { isReverdict } from './isReverdict.ts';
import { nodeKeyOf } from './nodeKeyOf.ts';
import type { Reverdicts } from './reverdicts.ts';

/**
 * applyReverdicts as a function of one event, for a reader that does its other per-event work in the same step
 * (exportLog): null for a re-verdict event (dropped), the grower's VerdictReached of a regraded node with the newest
 * re-verdict's fields (same event id, seq and place in the log), any other event as it is. `onLabel` is told of each
 * replaced verdict (before, after).
 */
export function newestVerdicts(
  reverdicts: Reverdicts,
  onLabel?: (key: string, before: VerdictReached, after: VerdictReached) => void,
): (event: TreeEvent) => TreeEvent | null {
  return (e) => {
    const p = e.payload;
    if (p.kind !== 'VerdictReached') return e;
    if (isReverdict(e)) return null;
    if (reverdicts.byNode.size === 0) return e;
    const key = nodeKeyOf(e.treeId, p.nodeId);
    const newest = reverdicts.byNode.get(key);
    if (!newest) return e;
    const { kind: _k, ...before } = p;
    onLabel?.(key, before, newest.verdict);
    return { ...e, payload: { kind: 'VerdictReached' as const, ...newest.verdict } };
  };
}
