import { lastValueFrom, type Observable, tap } from 'rxjs';
import type { TreeEvent } from '../../schemas/types.ts';
import { createReverdictCollector } from './createReverdictCollector.ts';
import type { Reverdicts } from './reverdicts.ts';

/**
 * Reads tree events (to their end) and keeps the re-verdicts `arboretum regrade` appended: the newest of each
 * node in log order, their count, and their ids. The first pass of a reader that decides rows from labels.
 */
export async function collectReverdicts(events: Observable<TreeEvent>): Promise<Reverdicts> {
  const collector = createReverdictCollector();
  await lastValueFrom(events.pipe(tap((e) => collector.add(e))), { defaultValue: null });
  return collector.result();
}
