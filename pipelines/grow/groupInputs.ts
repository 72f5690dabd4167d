import { map, merge, type Observable, Subject } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import type { GrowInput } from './growInput.ts';

/**
 * The instructions topic read as one member of a consumer group, as grower inputs: each assignment (before the
 * records of its partitions), then the instructions with their partition. An instruction's offset is committed once
 * its tree is opened on the log, and only when every earlier one of its partition is too, so a crash never loses an
 * instruction: one re-delivered for an opened tree is resumed from tree-events.
 */
export interface GroupInputsOptions {
  /** Default: said on stderr. */
  readonly onCommitError?: (e: unknown) => void;
  /** Told of each assignment: the partitions it adds and those it takes away (a worker says which it holds). */
  readonly onAssignment?: (change: { taken: number[]; released: number[]; held: number[] }) => void;
}

export function groupInputs(
  log: EventLog,
  group: string,
  {
    onCommitError = (e) => console.error(`grow: commit failed: ${(e as Error).message}`),
    onAssignment,
  }: GroupInputsOptions = {},
): Observable<GrowInput> {
  let held: number[] = [];
  const floors = new Map<number, { next: number; done: Set<number> }>();
  const assignments = new Subject<GrowInput>();
  const ack = (partition: number, offset: number) => {
    const f = floors.get(partition);
    if (!f) return; // the partition went to another worker meanwhile
    f.done.add(offset);
    const before = f.next;
    while (f.done.delete(f.next)) f.next++;
    if (f.next !== before)
      log.commit(group, topics.instructions, new Map([[partition, f.next]])).catch(onCommitError);
  };
  const records = log
    .readGroup(topics.instructions, {
      group,
      onAssigned: (partitions) => {
        const before = new Set(held);
        const now = new Set(partitions);
        onAssignment?.({
          taken: partitions.filter((p) => !before.has(p)),
          released: held.filter((p) => !now.has(p)),
          held: [...partitions],
        });
        held = [...partitions];
        floors.clear();
        assignments.next({ assigned: partitions });
      },
    })
    .pipe(
      map((r): GrowInput => {
        if (!floors.has(r.partition)) floors.set(r.partition, { next: r.offset, done: new Set() });
        return { instruction: r.value, partition: r.partition, ack: () => ack(r.partition, r.offset) };
      }),
    );
  return merge(assignments, records);
}
