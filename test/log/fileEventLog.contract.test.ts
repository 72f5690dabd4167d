import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { describeEventLog } from '../contract/describeEventLog.ts';

describeEventLog('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'arboretum-contract-'));
  return {
    log: createFileEventLog({ dir }),
    reopen: async () => createFileEventLog({ dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
