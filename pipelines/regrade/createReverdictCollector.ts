import type { TreeEvent } from '../../schemas/types.ts';
import { isReverdict } from './isReverdict.ts';
import { nodeKeyOf } from './nodeKeyOf.ts';
import type { NodeReverdict, Reverdicts } from './reverdicts.ts';

/** Keeps the re-verdicts of the events it is given (in log order); `result()` is what collectReverdicts returns. */
export interface ReverdictCollector {
  add(event: TreeEvent): void;
  /** Re-verdicts seen so far (repeats of an id counted once). */
  readonly size: number;
  result(): Reverdicts;
}

/** A collector of re-verdicts: the newest per node and their count, memory ∝ regraded nodes. */
export function createReverdictCollector(): ReverdictCollector {
  const byNode = new Map<string, NodeReverdict>();
  const ids = new Set<string>();
  return {
    add(e) {
      if (!isReverdict(e) || ids.has(e.eventId)) return;
      ids.add(e.eventId);
      const key = nodeKeyOf(e.treeId, e.payload.nodeId);
      const { kind: _k, ...verdict } = e.payload;
      byNode.set(key, { verdict, count: (byNode.get(key)?.count ?? 0) + 1 });
    },
    get size() {
      return ids.size;
    },
    result() {
      const versions = [...new Set([...byNode.values()].map((r) => r.verdict.graderVersion))].sort();
      return { byNode, ids, versions };
    },
  };
}
