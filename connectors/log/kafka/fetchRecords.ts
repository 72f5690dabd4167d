import { Observable } from 'rxjs';
import { ArboretumError, isArboretumError, messageOf } from '../../../schemas/errors.ts';
import type { DeadLetter } from '../../../schemas/types.ts';
import type { LogRecord, Positions } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import { type FetchedPartition, fetchRequest } from './fetchRequest.ts';
import { createKafkaCluster, type KafkaCluster } from './kafkaCluster.ts';
import { kafkaErrorOf } from './kafkaErrorOf.ts';
import { forEachRecord, lastWholeOffset } from './recordBatches.ts';
import { recordOfMessage } from './recordOfMessage.ts';

export interface FetchRecordsOptions<T> {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** The Kafka topic name (`arboretum.<topic>`). */
  readonly kafkaTopic: string;
  readonly topic: Topic<T>;
  /** Where to start, per partition; only these partitions are read. */
  readonly start: () => Promise<Positions>;
  /** Where to stop (exclusive), per partition; undefined: follow forever. */
  readonly end?: () => Promise<Positions>;
  readonly onDeadLetter: (deadLetter: DeadLetter) => void;
  /** Longest time the broker holds a fetch open when a following reader is at the end, in ms; default 500. */
  readonly maxWaitMs?: number;
  /** Bytes per partition per fetch; default 4 MiB. */
  readonly partitionMaxBytes?: number;
  /** Give up after this long without a successful fetch (broker down), in ms; default 120000. */
  readonly unavailableAfterMs?: number;
}

/**
 * Reads partitions of a topic from given offsets with plain fetch requests (no consumer group), through broker
 * restarts and leader changes: a fetch that fails is retried with backoff from the same positions, so nothing is
 * skipped nor delivered twice. Completes at `end` when given. Each subscription has its own connections, so a long
 * poll never delays another reader.
 */
export function fetchRecords<T>(options: FetchRecordsOptions<T>): Observable<LogRecord<T>> {
  const {
    brokers,
    clientId,
    kafkaTopic,
    topic,
    onDeadLetter,
    maxWaitMs = 500,
    partitionMaxBytes = 1 << 20,
    unavailableAfterMs = 120_000,
  } = options;
  return new Observable<LogRecord<T>>((subscriber) => {
    let closed = false;
    let cluster: KafkaCluster | undefined;
    const run = async () => {
      const positions = new Map(await options.start());
      const end = options.end ? await options.end() : undefined;
      const c = createKafkaCluster({ brokers, clientId });
      cluster = c;
      const fetchFrom = async (from: ReadonlyMap<number, number>, wanted: number[]) => {
        const answers: FetchedPartition[] = [];
        for (const [leader, partitions] of Object.entries(c.findLeaderForPartitions(kafkaTopic, wanted))) {
          const broker = await c.findBroker({ nodeId: leader });
          const answer: FetchedPartition[] = await (broker as any).connectionPool.send(
            fetchRequest({
              maxWaitMs: end ? 0 : maxWaitMs,
              maxBytes: partitions.length * partitionMaxBytes,
              isolationLevel: 1,
              topic: kafkaTopic,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: from.get(partition)!,
                maxBytes: partitionMaxBytes,
              })),
            }),
          );
          answers.push(...answer);
        }
        return answers;
      };
      const stillWanted = (at: ReadonlyMap<number, number>) =>
        [...at.keys()].filter((p) => end === undefined || at.get(p)! < (end.get(p) ?? 0));
      // The next fetch goes out before this one's records are decoded, so the broker and the socket work while
      // we decode. Its offsets come from the batch headers alone (lastWholeOffset).
      let prefetched: Promise<FetchedPartition[]> | undefined;
      let lastSuccess = Date.now();
      let backoffMs = 50;
      let needsMetadata = true;
      while (!closed) {
        const wanted = stillWanted(positions);
        if (wanted.length === 0) return;
        try {
          if (needsMetadata) {
            await c.connect();
            await c.addTargetTopic(kafkaTopic);
            await c.refreshMetadata();
            needsMetadata = false;
          }
          const answers = await (prefetched ?? fetchFrom(positions, wanted));
          prefetched = undefined;
          const after = new Map(positions);
          for (const { partition, errorCode, records } of answers) {
            if (errorCode !== 0) {
              throw new Error(
                `fetch ${kafkaTopic} partition ${partition}: Kafka error ${kafkaErrorOf(errorCode).kafkaError} (${errorCode})`,
              );
            }
            const last = records ? lastWholeOffset(records) : undefined;
            const stop = end?.get(partition) ?? Number.POSITIVE_INFINITY;
            if (last !== undefined)
              after.set(partition, Math.max(after.get(partition)!, Math.min(last + 1, stop)));
          }
          const next = stillWanted(after);
          if (next.length > 0 && !closed) {
            prefetched = fetchFrom(after, next);
            prefetched.catch(() => {});
          }
          for (const { partition, records } of answers) {
            if (!records || closed) continue;
            let position = positions.get(partition)!;
            const stop = end?.get(partition) ?? Number.POSITIVE_INFINITY;
            let done = false;
            forEachRecord(records, (record) => {
              // A fetch returns whole batches: skip what precedes the position, stop at the end.
              if (done || record.offset < position) return;
              if (record.offset >= stop || closed) {
                done = true;
                return;
              }
              position = record.offset + 1;
              const decoded = recordOfMessage(topic, partition, record);
              if (decoded.record) subscriber.next(decoded.record);
              else onDeadLetter(decoded.deadLetter);
            });
            // Offsets below `after` that were not records (control batches, compacted gaps) are passed too.
            if (!closed) positions.set(partition, Math.max(position, after.get(partition)!));
          }
          lastSuccess = Date.now();
          backoffMs = 50;
        } catch (e) {
          prefetched = undefined;
          if (closed) return;
          if (isArboretumError(e)) throw e;
          if (Date.now() - lastSuccess > unavailableAfterMs) {
            throw new ArboretumError(
              'LOG_UNAVAILABLE',
              `kafka topic ${kafkaTopic} at ${brokers.join(',')}: no answer for ${unavailableAfterMs} ms: ${messageOf(e)}`,
              { retriable: true, context: { topic: topic.name }, cause: e },
            );
          }
          await new Promise((r) => setTimeout(r, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 1000);
          needsMetadata = true;
        }
      }
    };
    run()
      .finally(() => cluster?.disconnect().catch(() => {}))
      .then(
        () => {
          if (!closed) subscriber.complete();
        },
        (e) => {
          if (!closed) subscriber.error(e);
        },
      );
    return () => {
      closed = true;
      cluster?.disconnect().catch(() => {});
    };
  });
}
