import { lastValueFrom, type Subscription } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { createFleetFold, type FleetFold } from './createFleetFold.ts';
import { fleetPositions, readFleet } from './readFleet.ts';

export interface FleetWatch {
  /** The fold, caught up with the log as it was when watchFleet resolved, and following it since. */
  readonly fold: FleetFold;
  close(): void;
}

export interface WatchFleetOptions {
  /** Called after records were folded, at most once per `intervalMs` (default 1000 ms). */
  readonly onUpdate?: () => void;
  readonly intervalMs?: number;
  /** The following read failed (the log went away for good). */
  readonly onError?: (e: unknown) => void;
}

/**
 * Reads the whole log into a fleet fold (resolves once caught up with the end offsets seen on the way), then
 * follows it: what grow --follow needs to see other groups' trees and to tell when growth is complete. onUpdate is
 * only called for records after the catch-up: a caller checks the caught-up fold itself once.
 */
export async function watchFleet(
  log: EventLog,
  { onUpdate, intervalMs = 1000, onError }: WatchFleetOptions = {},
): Promise<FleetWatch> {
  const fold = createFleetFold();
  const positions = fleetPositions();
  await lastValueFrom(readFleet(log, fold, positions), { defaultValue: null });
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const subscription: Subscription = readFleet(log, fold, positions, true).subscribe({
    next: () => {
      if (!onUpdate || timer || closed) return;
      timer = setTimeout(() => {
        timer = null;
        if (!closed) onUpdate();
      }, intervalMs);
    },
    error: (e) => onError?.(e),
  });
  return {
    fold,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      subscription.unsubscribe();
    },
  };
}
