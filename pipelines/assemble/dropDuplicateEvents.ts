import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';

export interface DropDuplicateEventsOptions {
  /** How many closed trees to remember, to drop their late repeats; default 100,000 (about 15 MB). */
  readonly closedTrees?: number;
}

/**
 * Drops events whose deterministic event id was already seen, with memory bounded by the open trees: the ids of an
 * open tree are kept until its TreeClosed, then only the tree id is kept, in a first-in-first-out memory of
 * `closedTrees` entries, and every later event of that tree is dropped (nothing follows TreeClosed). A repeat of a
 * tree closed longer ago than that memory reaches the assembler as a new tree; export sinks drop repeated row ids.
 * A tree closed `failed` may be reopened (TreeReopened, grow --retry-failed): it keeps its ids, its later events are
 * dropped but a TreeReopened not seen before, which opens it again (evolveTree decides whether the reopen counts).
 */
export function dropDuplicateEvents(
  options: DropDuplicateEventsOptions = {},
): MonoTypeOperatorFunction<TreeEvent> {
  const { closedTrees = 100_000 } = options;
  return (source) =>
    defer(() => {
      const open = new Map<string, Set<string>>();
      const closed = new Set<string>();
      /** Open trees that closed `failed`: their ids are kept, only a new TreeReopened passes. */
      const failed = new Set<string>();
      return source.pipe(
        filter((event) => {
          if (closed.has(event.treeId)) return false;
          let seen = open.get(event.treeId);
          if (!seen) {
            seen = new Set();
            open.set(event.treeId, seen);
          }
          if (seen.has(event.eventId)) return false;
          const kind = event.payload.kind;
          if (failed.has(event.treeId)) {
            if (kind !== 'TreeReopened') return false;
            failed.delete(event.treeId);
            seen.add(event.eventId);
          } else if (kind === 'TreeClosed' && event.payload.outcome === 'failed') {
            failed.add(event.treeId);
            seen.add(event.eventId);
          } else if (kind === 'TreeClosed') {
            open.delete(event.treeId);
            closed.add(event.treeId);
            if (closed.size > closedTrees) closed.delete(closed.values().next().value!);
          } else {
            seen.add(event.eventId);
          }
          return true;
        }),
      );
    });
}
