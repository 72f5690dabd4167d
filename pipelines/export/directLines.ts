import { closeSync, openSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createBufferedFile } from './bufferedFile.ts';
import { IntList } from './intList.ts';
import type { RowCounts } from './rowCounts.ts';
import type { SortedLines } from './sortedLines.ts';

const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

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
  const byTask = new Map<string, number>();
  const byDataset = new Map<string, number>();
  const byTurn = new Map<number, number>();
  let total = 0;
  const promptTokens = new IntList();
  const totalTokens = new IntList();
  return {
    add(key, lines, lengths) {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        promptTokens.push(lengths?.[i]?.prompt ?? 0);
        totalTokens.push(lengths?.[i]?.total ?? 0);
        file.put(`${line}\n`);
        count(byTask, key.task);
        count(byDataset, key.dataset);
        count(byTurn, key.turn);
        total++;
      }
    },
    async finish(target, onLine) {
      if (onLine) throw new Error('createDirectLines: lines in log order carry no tree keys to report');
      file.flush();
      if (file.fd !== null) closeSync(file.fd);
      open = false;
      await rename(tmp, target);
      const sorted = <K extends string | number>(m: Map<K, number>) =>
        [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const counts = {
        total,
        byTask: sorted(byTask),
        byDataset: sorted(byDataset),
        byTurn: sorted(byTurn),
      } as RowCounts;
      return { counts, promptTokens: promptTokens.toArray(), totalTokens: totalTokens.toArray() };
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
