import { closeSync, openSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createBufferedFile } from './bufferedFile.ts';
import { createLineTally } from './createLineTally.ts';
import type { SortedLines } from './sortedLines.ts';

/**
 * Lines written straight to the output in the order rows are decided (log order), buffered, without the spill and
 * sort of createSortedLines: about twice as fast, byte-identical on replays of the same log on the same backend, but
 * not across backends (Kafka interleaves partitions) and without dropping repeated rows. Same interface as
 * SortedLines; the output goes to a temporary file renamed on finish.
 */
export function createDirectLines({
  path,
  bufferBytes = 1 << 22,
}: {
  path: string;
  bufferBytes?: number;
}): SortedLines {
  const tmp = `${path}.tmp-${process.pid}`;
  const file = createBufferedFile({ path: tmp, bufferBytes, flags: 'w' });
  // Created now, so an export without rows still renames an (empty) file into place.
  closeSync(openSync(tmp, 'w'));
  let open = true;
  const tally = createLineTally();
  return {
    add(key, lines, lengths) {
      for (let i = 0; i < lines.length; i++) {
        file.put(`${lines[i]}\n`);
        tally.add(key.task, key.dataset, key.turn, lengths?.[i]?.prompt ?? 0, lengths?.[i]?.total ?? 0);
      }
    },
    async finish(target, onLine) {
      if (onLine) throw new Error('createDirectLines: lines in log order carry no tree keys to report');
      file.flush();
      if (file.fd !== null) closeSync(file.fd);
      open = false;
      await rename(tmp, target);
      return tally.result();
    },
    async dispose() {
      if (open) {
        if (file.fd !== null) closeSync(file.fd);
        open = false;
        await rm(tmp, { force: true });
      }
    },
  };
}
