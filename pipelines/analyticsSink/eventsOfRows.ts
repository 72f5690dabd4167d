import { eventIdOf } from '../../schemas/ids.ts';
import type { TreeEvent, TreeEventPayload } from '../../schemas/types.ts';
import type { EventTable } from './eventTable.ts';
import { eventTables } from './eventTables.ts';
import type { EventKindWithTable } from './sinkAppenders.ts';

type Row = Readonly<Record<string, unknown>>;

/**
 * The tree events that the sink's rows of some trees stand for, in log order (partition, offset), rebuilt from the
 * event tables by each table's generated `payloadOf`: what evolveTree needs to continue a tree that was open when the
 * last sync ended. Fields not stored (StrategySampled prompts, which evolveTree drops) take their schema defaults.
 * seq is a rank per tree (see below); a row of a file made before event ids were stored gets the id eventIdOf gives.
 */
export function eventsOfRows(rows: { readonly [K in EventKindWithTable]?: readonly Row[] }): {
  event: TreeEvent;
  partition: number;
  offset: number;
}[] {
  const out: { event: TreeEvent; partition: number; offset: number }[] = [];
  for (const kind of Object.keys(eventTables) as EventKindWithTable[]) {
    const table = eventTables[kind] as EventTable<TreeEventPayload>;
    for (const r of rows[kind] ?? []) {
      const payload = table.payloadOf(r);
      const treeId = String(r.tree_id);
      const nodeId =
        'nodeId' in payload
          ? payload.nodeId
          : payload.kind === 'TreeReopened'
            ? `g${payload.generation}`
            : null;
      out.push({
        event: {
          eventId: r.event_id == null ? eventIdOf(treeId, nodeId, payload.kind) : String(r.event_id),
          treeId,
          seq: 0,
          time: Number(r.time ?? 0),
          writer: String(r.writer ?? ''),
          payload,
        },
        partition: Number(r.part),
        offset: Number(r.off),
      });
    }
  }
  out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  // seq: the event's rank among its tree's stored events, in log order — never above its seq on the log, and in the
  // same order, which is all evolveTree reads of it (a reopen starts a growth after the events before it).
  const ranks = new Map<string, number>();
  return out.map((o) => {
    const seq = ranks.get(o.event.treeId) ?? 0;
    ranks.set(o.event.treeId, seq + 1);
    return { ...o, event: { ...o.event, seq } };
  });
}
