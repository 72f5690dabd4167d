import type { TreeEvent, VerdictReached } from '../../schemas/types.ts';

/** What a re-verdict's id has after `treeId/nodeId` (reverdictIdOf): the grower's own ends at `/VerdictReached`. */
const MARK = '/VerdictReached@';

/**
 * A VerdictReached that `arboretum regrade` appended (its id is reverdictIdOf's: it starts
 * `treeId/nodeId/VerdictReached@`), not the grower's own. Checked part by part in place: building the prefix cost a
 * string for each of a replay's verdicts, twice an export (the collector and applyReverdicts).
 */
export function isReverdict(
  event: TreeEvent,
): event is TreeEvent & { readonly payload: { readonly kind: 'VerdictReached' } & VerdictReached } {
  const p = event.payload;
  if (p.kind !== 'VerdictReached') return false;
  const id = event.eventId;
  const t = event.treeId.length;
  const n = p.nodeId.length;
  return (
    id.length >= t + 1 + n + MARK.length &&
    id.startsWith(event.treeId) &&
    id.charCodeAt(t) === 47 && // '/'
    id.startsWith(p.nodeId, t + 1) &&
    id.startsWith(MARK, t + 1 + n)
  );
}
