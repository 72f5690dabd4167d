import { Observable } from 'rxjs';
import { ArboretumError, isArboretumError, messageOf } from '../../../schemas/errors.ts';
import type { DeadLetter } from '../../../schemas/types.ts';
import { retry } from '../../shared/retry.ts';
import type { LogRecord, Positions } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import { createBrokerConnections } from './protocol/connection/brokerConnections.ts';
import { fetchRequest } from './protocol/fetch/fetchRequest.ts';
import { type FetchedPartition, fetchResponse } from './protocol/fetch/fetchResponse.ts';
import { KafkaProtocolError } from './protocol/kafkaProtocolError.ts';
import { forEachRecord, lastWholeOffset } from './protocol/recordBatch/recordBatches.ts';
import { recordOfMessage } from './recordOfMessage.ts';

export interface FetchRecordsOptions<T> {
  /** For messages: the bootstrap brokers. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Leader address of each partition of `kafkaTopic`, from fresh metadata. */
  readonly leaders: () => Promise<Map<number, string>>;
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
  /** Bytes per partition per fetch; default 1 MiB (4 MiB made each answer 12 MB, and V8 ran full collections for them). */
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
    leaders,
    kafkaTopic,
    topic,
    onDeadLetter,
    maxWaitMs = 500,
    partitionMaxBytes = 1 << 20,
    unavailableAfterMs = 120_000,
  } = options;
  return new Observable<LogRecord<T>>((subscriber) => {
    let closed = false;
    const connections = createBrokerConnections({ clientId });
    const run = async () => {
      const positions = new Map(await options.start());
      const end = options.end ? await options.end() : undefined;
      let leaderOf = new Map<number, string>();
      const fetchFrom = async (from: ReadonlyMap<number, number>, wanted: number[]) => {
        const byLeader = new Map<string, number[]>();
        for (const partition of wanted) {
          const leader = leaderOf.get(partition);
          if (!leader)
            throw new KafkaProtocolError(`${kafkaTopic} partition ${partition}: not in the metadata`, 3);
          byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
        }
        // One request per leader, all leaders at once.
        const answers = await Promise.all(
          [...byLeader].map(async ([leader, partitions]) => {
            const c = await connections.to(leader);
            const { apiKey, apiVersion, body } = fetchRequest({
              maxWaitMs: end ? 0 : maxWaitMs,
              maxBytes: partitions.length * partitionMaxBytes,
              isolationLevel: 1,
              topic: kafkaTopic,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: from.get(partition)!,
                maxBytes: partitionMaxBytes,
              })),
            });
            return fetchResponse(await c.request(apiKey, apiVersion, body, maxWaitMs + 30_000));
          }),
        );
        return answers.flat();
      };
      const stillWanted = (at: ReadonlyMap<number, number>) =>
        [...at.keys()].filter((p) => end === undefined || at.get(p)! < (end.get(p) ?? 0));
      // The next fetch goes out before this one's records are decoded, so the broker and the socket work while
      // we decode. Its offsets come from the batch headers alone (lastWholeOffset).
      let prefetched: Promise<FetchedPartition[]> | undefined;
      let needsMetadata = true;
      /** One fetch from the positions: passes its records on and moves the positions past them. */
      const step = async () => {
        const wanted = stillWanted(positions);
        if (wanted.length === 0) return;
        if (needsMetadata) {
          leaderOf = await leaders();
          needsMetadata = false;
        }
        const answers = await (prefetched ?? fetchFrom(positions, wanted));
        prefetched = undefined;
        const after = new Map(positions);
        for (const { partition, errorCode, records } of answers) {
          if (errorCode !== 0)
            throw new KafkaProtocolError(`fetch ${kafkaTopic} partition ${partition}`, errorCode);
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
      };
      while (!closed && stillWanted(positions).length > 0) {
        try {
          // The shared retry loop: a failed fetch is tried again from the same positions (backoff 50 ms doubling
          // to 1 s) until unavailableAfterMs pass without an answer; our own errors and Kafka's non-retriable
          // codes end it at once.
          await retry(step, {
            deadlineMs: unavailableAfterMs,
            backoff: { baseMs: 50, maxMs: 1000, jitter: 0 },
            retriable: (e) =>
              !closed && !isArboretumError(e) && !(e instanceof KafkaProtocolError && !e.retriable),
            onRetry: () => {
              prefetched = undefined;
              needsMetadata = true;
            },
          });
        } catch (e) {
          prefetched = undefined;
          if (closed) return;
          if (isArboretumError(e)) throw e;
          if (e instanceof KafkaProtocolError && !e.retriable) {
            throw new ArboretumError('LOG_UNAVAILABLE', `kafka ${brokers.join(',')}: ${e.message}`, {
              context: { topic: topic.name },
              cause: e,
            });
          }
          throw new ArboretumError(
            'LOG_UNAVAILABLE',
            `kafka topic ${kafkaTopic} at ${brokers.join(',')}: no answer for ${unavailableAfterMs} ms: ${messageOf(e)}`,
            { retriable: true, context: { topic: topic.name }, cause: e },
          );
        }
      }
    };
    run()
      .finally(() => connections.closeAll())
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
      connections.closeAll();
    };
  });
}
