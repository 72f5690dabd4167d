import { lastValueFrom, type Observable, reduce } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import { isReverdict } from './isReverdict.ts';
import { type NodeReverdict, nodeKeyOf, type Reverdicts } from './reverdicts.ts';

/**
 * Reads tree events (to their end) and keeps the re-verdicts `arboretum regrade` appended: the newest of each
 * node in log order, their count, and their ids. The first pass of every reader that decides rows from labels.
 */
export async function collectReverdicts(events: Observable<TreeEvent>): Promise<Reverdicts> {
  const byNode = new Map<string, NodeReverdict>();
  const ids = new Set<string>();
  await lastValueFrom(
    events.pipe(
      reduce((_, e) => {
        if (!isReverdict(e) || ids.has(e.eventId)) return null;
        ids.add(e.eventId);
        const key = nodeKeyOf(e.treeId, e.payload.nodeId);
        const { kind: _k, ...verdict } = e.payload;
        byNode.set(key, { verdict, count: (byNode.get(key)?.count ?? 0) + 1 });
        return null;
      }, null),
    ),
    { defaultValue: null },
  );
  const versions = [...new Set([...byNode.values()].map((r) => r.verdict.graderVersion))].sort();
  return { byNode, ids, versions };
}
