import { filter, type GroupedObservable, groupBy, type OperatorFunction, take } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';

/**
 * Splits tree events into one stream per tree (key: tree id). A tree's stream completes right after its TreeClosed,
 * which evicts it: whatever was folded from it can be collected, so memory follows the open trees, not the history.
 * A tree closed `failed` stays (until the source completes): a TreeReopened may grow it again from the same
 * instruction (grow --retry-failed).
 */
export function groupByTree(): OperatorFunction<TreeEvent, GroupedObservable<string, TreeEvent>> {
  return groupBy((event) => event.treeId, {
    duration: (group) =>
      group.pipe(
        filter((event) => event.payload.kind === 'TreeClosed' && event.payload.outcome !== 'failed'),
        take(1),
      ),
  });
}
