import { bufferCount, concatMap, lastValueFrom } from 'rxjs';
import type { EventLog } from '../../connectors/log/eventLog.ts';
import { topicNamed } from '../../connectors/log/topics.ts';
import { ArboretumError } from '../../schemas/errors.ts';

/** Records appended to the target at a time. */
const BATCH = 1000;

/**
 * Copies the named topics from one log to another (file ↔ Kafka, or between two of a kind), keeping keys; returns the
 * records copied per topic. Damaged regions of the source go to its onDamage (the CLI prints each and exits non-zero).
 */
export async function copyLog(
  source: EventLog,
  target: EventLog,
  names: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of names) {
    const topic = topicNamed(name);
    if (!topic)
      throw new ArboretumError('INVALID_INPUT', `copy: unknown topic ${JSON.stringify(name)}`, {
        context: { topic: name },
      });
    let n = 0;
    const copied = source.read(topic).pipe(
      bufferCount(BATCH),
      concatMap(async (chunk) => {
        await target.append(
          topic,
          chunk.map((r) => ({ key: r.key, value: r.value })),
        );
        n += chunk.length;
      }),
    );
    await lastValueFrom(copied, { defaultValue: undefined });
    counts.set(name, n);
  }
  return counts;
}
