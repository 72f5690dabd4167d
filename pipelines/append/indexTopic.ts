import { lastValueFrom, tap } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import type { Topic } from '../../connectors/log/topics.ts';
import { createRecordIndex, type RecordIndex } from '../../connectors/sources/createRecordIndex.ts';
import { recordIdentity } from './recordIdentity.ts';

/**
 * Reads a topic once, all partitions, to its current end, and indexes its records by id. Records that cannot be
 * decoded (damaged regions) are counted in `unreadable` (not in the index: an append puts a good copy back), never dead-lettered here.
 */
export async function indexTopic<T>(
  log: EventLog,
  topic: Topic<T>,
  index: RecordIndex = createRecordIndex(),
): Promise<{ index: RecordIndex; records: number; unreadable: number }> {
  let records = 0;
  let unreadable = 0;
  await lastValueFrom(
    log
      .read(topic, {
        onDamage: () => {
          unreadable++;
        },
      })
      .pipe(
        tap((r) => {
          records++;
          const { id, hash } = recordIdentity(topic, r.value);
          index.add(id, hash, { partition: r.partition, offset: r.offset });
        }),
      ),
    { defaultValue: undefined },
  );
  return { index, records, unreadable };
}
