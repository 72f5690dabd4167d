import { map, merge, type Observable } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import type { FleetFold } from './createFleetFold.ts';

/** Where a fleet read got to: the next offset per partition of each topic, so a later read goes on from there. */
export interface FleetPositions {
  readonly instructions: Map<number, number>;
  readonly treeEvents: Map<number, number>;
}

export const fleetPositions = (): FleetPositions => ({ instructions: new Map(), treeEvents: new Map() });

/**
 * Feeds the instructions and tree-events topics into `fold` from `positions` (advancing them): to the end offsets
 * seen on subscribe, or on as records arrive with `follow`. Emits the topic of each record folded.
 */
export function readFleet(
  log: EventLog,
  fold: FleetFold,
  positions: FleetPositions,
  follow = false,
): Observable<'instructions' | 'treeEvents'> {
  return merge(
    log.read(topics.instructions, { from: positions.instructions, follow }).pipe(
      map((r) => {
        fold.instruction(r.value, r.partition);
        positions.instructions.set(r.partition, r.offset + 1);
        return 'instructions' as const;
      }),
    ),
    log.read(topics.treeEvents, { from: positions.treeEvents, follow }).pipe(
      map((r) => {
        fold.treeEvent(r.value, r.partition);
        positions.treeEvents.set(r.partition, r.offset + 1);
        return 'treeEvents' as const;
      }),
    ),
  );
}
