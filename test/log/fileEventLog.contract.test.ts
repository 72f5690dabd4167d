import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { describeEventLog } from '../contract/describeEventLog.ts';
import { sampleInstruction } from '../contract/sampleRecords.ts';

describeEventLog('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-contract-'));
  const log = createFileEventLog({ dir });
  return {
    log,
    reopen: async () => createFileEventLog({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
    spoilInstruction: async () => {
      // Appended alone (a block of its own), then one byte of its text flipped in place: 's' becomes 'r'.
      const marker = 'spoil-me-on-disk';
      const [record] = await log.append(topics.instructions, [{ value: sampleInstruction(900, marker) }]);
      const folder = join(dir, 'instructions');
      const segment = join(
        folder,
        readdirSync(folder)
          .filter((f) => f.endsWith('.avro'))
          .sort()
          .at(-1)!,
      );
      const at = readFileSync(segment).lastIndexOf(marker);
      if (at < 0) throw new Error(`${segment}: the record to spoil is not there`);
      const fd = openSync(segment, 'r+');
      try {
        writeSync(fd, Buffer.from([marker.charCodeAt(0) ^ 1]), 0, 1, at);
      } finally {
        closeSync(fd);
      }
      return { partition: record.partition, offset: record.offset };
    },
  };
});
