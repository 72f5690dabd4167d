import type { TreeEvent, VerdictReached } from '../../schemas/types.ts';

/** A VerdictReached that `arboretum regrade` appended (its id is reverdictIdOf's), not the grower's own. */
export function isReverdict(
  event: TreeEvent,
): event is TreeEvent & { readonly payload: { readonly kind: 'VerdictReached' } & VerdictReached } {
  const p = event.payload;
  return (
    p.kind === 'VerdictReached' && event.eventId.startsWith(`${event.treeId}/${p.nodeId}/VerdictReached@`)
  );
}
