import { existsSync } from 'node:fs';
import type { EventLog } from '../connectors/log/eventLog.ts';
import { topics } from '../connectors/log/topics.ts';
import { ArboretumError } from '../schemas/errors.ts';
import { openLog, parseLogUri } from './openLog.ts';
import { requireTopic } from './requireTopic.ts';

/**
 * Opens a log that must already hold tree events (export, report, view): a mistyped `file:` path is refused before
 * anything is created there, and a log without tree events is an error naming it, not an empty result.
 */
export async function openExistingLog(uri: string): Promise<EventLog> {
  const address = parseLogUri(uri);
  if (address.kind === 'file' && !existsSync(address.dir)) {
    throw new ArboretumError('INVALID_INPUT', `--log ${uri}: no log there (${address.dir} does not exist)`, {
      context: { file: address.dir },
    });
  }
  const log = await openLog(uri);
  try {
    await requireTopic(log, topics.treeEvents);
  } catch (e) {
    await log.close();
    throw e;
  }
  return log;
}
