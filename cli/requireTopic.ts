import type { EventLog } from '../connectors/log/eventLog.ts';
import type { Topic } from '../connectors/log/topics.ts';
import { ArboretumError } from '../schemas/errors.ts';

/**
 * Fails with INVALID_INPUT naming the log and the topic when the topic has never been written on this log (a
 * mistyped --log or a topic nothing has produced yet), so reads of it are errors rather than silent empty output.
 */
export async function requireTopic(log: EventLog, topic: Topic<unknown>): Promise<void> {
  const stats = await log.stat();
  if (stats.some((s) => s.topic === topic.name)) return;
  const present = stats.map((s) => s.topic);
  throw new ArboretumError(
    'INVALID_INPUT',
    `--log ${log.uri}: no topic ${topic.name} on this log (${present.length ? `it has ${present.join(', ')}` : 'it is empty'})`,
    { context: { topic: topic.name } },
  );
}
