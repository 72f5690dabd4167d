import { eventIdOf } from './ids.ts';
import type { TreeEvent, TreeEventPayload } from './types.ts';

export interface NextTreeEvent {
  readonly treeId: string;
  /** The node the payload is about; null for the tree's own events (opened, closed). */
  readonly nodeId: string | null;
  /** Unix time, ms. */
  readonly time: number;
  readonly writer: string;
  readonly payload: TreeEventPayload;
}

/**
 * Appends a payload as a tree's next event, the way the grower numbers them: seq is its position in `events` (from 0),
 * the id is eventIdOf(tree, node, kind). For writers that build one tree's events in order (import, synthetic logs).
 */
export function pushTreeEvent(
  events: TreeEvent[],
  { treeId, nodeId, time, writer, payload }: NextTreeEvent,
): void {
  events.push({
    eventId: eventIdOf(treeId, nodeId, payload.kind),
    treeId,
    seq: events.length,
    time,
    writer,
    payload,
  });
}
