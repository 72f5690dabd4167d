import { ArboretumError, messageOf } from '../../../schemas/errors.ts';
import { retry } from '../../shared/retry.ts';
import { kafkaErrorOf } from './kafkaErrorOf.ts';
import type { BrokerConnections } from './protocol/connection/brokerConnections.ts';
import { initProducerIdRequest } from './protocol/initProducerId/initProducerIdRequest.ts';
import { initProducerIdResponse } from './protocol/initProducerId/initProducerIdResponse.ts';
import { KafkaProtocolError } from './protocol/kafkaProtocolError.ts';
import { produceRequest } from './protocol/produce/produceRequest.ts';
import { produceResponse } from './protocol/produce/produceResponse.ts';
import type { RecordBatchWriter } from './protocol/recordBatch/recordBatchWriter.ts';

const DUPLICATE_SEQUENCE = 46;
const UNKNOWN_PRODUCER_ID = 59;

export interface IdempotentProducer {
  /** Writes each partition's batch (records written already); resolves with each partition's base offset. */
  send(
    topic: string,
    byPartition: ReadonlyMap<number, RecordBatchWriter>,
    /** Create time of the records, epoch ms. */
    timestamp: number,
  ): Promise<Map<number, number>>;
}

/** Our producer id and epoch, and the next sequence number of each partition under them. */
interface Identity {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly sequences: Map<string, number>;
}

/**
 * An idempotent producer over our own Produce requests (acks=all): one producer id for the log, a sequence number
 * per partition, and on a lost answer or a broker restart the very same batch sent again, which the broker writes
 * once. Sends are made one at a time by the caller (the log serialises appends), so one batch per partition is in
 * flight; each partition's batch goes in a request of its own on a connection of its own (a lane), so that the
 * broker appends the partitions side by side: with one request for all, the single appender ran at 0.33x kcat.
 * kafkajs' own producer measured 0.08-0.16x kcat on our events (README.md).
 */
export function createIdempotentProducer({
  connections,
  leaders,
  uri,
  retryForMs = 120_000,
  requestTimeoutMs = 30_000,
}: {
  connections: BrokerConnections;
  /** Leader address of each partition of a topic; `fresh` after a failure asks the cluster again. */
  leaders: (topic: string, fresh: boolean) => Promise<Map<number, string>>;
  uri: string;
  /** Keep resending for this long without success, in ms; default 120000. */
  retryForMs?: number;
  requestTimeoutMs?: number;
}): IdempotentProducer {
  let identity: Identity | undefined;

  // Any broker hands out producer ids of an idempotent (not transactional) producer: ask a partition's leader.
  const initProducerId = async (address: string): Promise<Identity> => {
    const c = await connections.to(address);
    const { apiKey, apiVersion, body } = initProducerIdRequest({ transactionTimeoutMs: 60_000 });
    const answer = initProducerIdResponse(await c.request(apiKey, apiVersion, body, requestTimeoutMs));
    if (answer.errorCode !== 0) throw new KafkaProtocolError(`${uri}: InitProducerId`, answer.errorCode);
    return { producerId: answer.producerId, producerEpoch: answer.producerEpoch, sequences: new Map() };
  };

  /** Errors no retry can mend: a Kafka code that is not retriable (but a forgotten producer id: a new id mends it). */
  const endsAtOnce = (e: unknown) =>
    e instanceof KafkaProtocolError && !e.retriable && e.code !== UNKNOWN_PRODUCER_ID;

  return {
    async send(topic, byPartition, timestamp) {
      let lastError: unknown;
      // Each partition's batch is finished once (producer fields, CRC) and resent unchanged; a new producer id
      // finishes it again.
      const batches = new Map<number, { batch: Buffer; count: number; by: Identity }>();
      const offsets = new Map<number, number>();
      /** One round: sends what is still pending; resolves with every offset, or throws what kept a partition out. */
      const round = async (n: number): Promise<Map<number, number>> => {
        const leaderOf = await leaders(topic, n > 1);
        if (!identity) identity = await initProducerId(leaderOf.values().next().value as string);
        const id = identity;
        const pending = [...byPartition.keys()].filter((p) => !offsets.has(p));
        // Settled one by one: a partition that failed does not hide the offsets of those written.
        const settled = await Promise.allSettled(
          pending.map(async (partition) => {
            const leader = leaderOf.get(partition);
            if (!leader)
              throw new KafkaProtocolError(`${topic} partition ${partition}: not in the metadata`, 3);
            let sent = batches.get(partition);
            if (!sent) {
              const writer = byPartition.get(partition)!;
              sent = {
                count: writer.count,
                by: id,
                batch: writer.finish({
                  timestamp,
                  producerId: id.producerId,
                  producerEpoch: id.producerEpoch,
                  baseSequence: id.sequences.get(`${topic}:${partition}`) ?? 0,
                }),
              };
              batches.set(partition, sent);
            }
            const c = await connections.to(leader, partition);
            const { apiKey, apiVersion, body } = produceRequest({
              topic,
              batches: [{ partition, batch: sent.batch }],
              timeoutMs: requestTimeoutMs,
            });
            return produceResponse(await c.request(apiKey, apiVersion, body, requestTimeoutMs + 5000));
          }),
        );
        const answers = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
        for (const { partition, errorCode, baseOffset } of answers) {
          const sent = batches.get(partition)!;
          if (errorCode === 0 || errorCode === DUPLICATE_SEQUENCE) {
            offsets.set(partition, baseOffset);
            const key = `${topic}:${partition}`;
            sent.by.sequences.set(key, ((sent.by.sequences.get(key) ?? 0) + sent.count) % 2 ** 31);
          } else if (errorCode === UNKNOWN_PRODUCER_ID) {
            // The broker forgot our producer (idle too long): nothing of this batch was written; start over
            // with a new id for what is still pending.
            lastError = new KafkaProtocolError(`produce to ${topic} partition ${partition}`, errorCode);
            if (identity === sent.by) identity = undefined;
            for (const p of byPartition.keys()) if (!offsets.has(p)) batches.delete(p);
          } else {
            const error = new KafkaProtocolError(`produce to ${topic} partition ${partition}`, errorCode);
            if (!error.retriable) {
              const { kafkaError, kafkaCode } = kafkaErrorOf(errorCode);
              throw new ArboretumError('KAFKA_REFUSED', `${uri}: ${error.message} (refused)`, {
                context: { topic, partition, kafkaError, kafkaCode },
              });
            }
            lastError = error;
          }
        }
        if (offsets.size === byPartition.size) return offsets;
        const failed = settled.find((s) => s.status === 'rejected');
        // A round that left partitions out is tried again (the UNKNOWN_PRODUCER_ID case: at once with a new id).
        throw failed ? failed.reason : lastError;
      };
      try {
        try {
          // The shared retry loop: backoff 50 ms doubling to 1 s for retryForMs; our own refusals and Kafka's
          // non-retriable codes end it at once.
          return await retry(round, {
            deadlineMs: retryForMs,
            backoff: { baseMs: 50, maxMs: 1000, jitter: 0 },
            retriable: (e) => !(e instanceof ArboretumError) && !endsAtOnce(e),
            onRetry: ({ error }) => {
              lastError = error;
            },
          });
        } catch (e) {
          if (e instanceof ArboretumError) throw e;
          if (endsAtOnce(e)) {
            throw new ArboretumError('LOG_UNAVAILABLE', `${uri}: ${messageOf(e)}`, { context: { topic } });
          }
          throw new ArboretumError(
            'LOG_UNAVAILABLE',
            `${uri}: produce to ${topic}: no success for ${retryForMs} ms: ${messageOf(e ?? lastError)}`,
            { retriable: true, context: { topic }, cause: e ?? lastError },
          );
        }
      } catch (e) {
        // Forget the producer id: its sequence numbers may now disagree with the broker's (a send that failed may
        // have been written), so a fresh id makes sure no later batch is taken for a duplicate and dropped.
        identity = undefined;
        throw e;
      }
    },
  };
}
