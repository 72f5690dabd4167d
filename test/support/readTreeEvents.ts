import { lastValueFrom, map, toArray } from 'rxjs';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import type { TreeEvent } from '../../schemas/types.ts';

/** Every tree event of the file log in `dir`, in log order: opens the log, reads the topic to its end, closes it. */
export async function readTreeEvents(dir: string): Promise<TreeEvent[]> {
  const log = createFileEventLog({ dir, fsync: 'never', onRecovered: () => {} });
  try {
    return await lastValueFrom(
      log.read(topics.treeEvents).pipe(
        map((r) => r.value),
        toArray(),
      ),
    );
  } finally {
    await log.close();
  }
}
