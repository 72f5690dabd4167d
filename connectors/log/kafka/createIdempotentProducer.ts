import { ArboretumError, messageOf } from '../../../schemas/errors.ts';
import { encodeRecordBatch, type RecordToWrite } from './encodeRecordBatch.ts';
import type { KafkaCluster } from './kafkaCluster.ts';
import { kafkaErrorOf } from './kafkaErrorOf.ts';
import { type ProducedPartition, produceRequest } from './produceRequest.ts';

/** Kafka errors after which the same batch is sent again (leader moved, broker busy or restarting). */
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56]);
const DUPLICATE_SEQUENCE = 46;
const UNKNOWN_PRODUCER_ID = 59;

export interface IdempotentProducer {
  /** Writes each partition's records as one batch (in order); resolves with each partition's base offset. */
  send(
    topic: string,
    byPartition: ReadonlyMap<number, readonly RecordToWrite[]>,
    /** Create time of the records, epoch ms. */
    timestamp: number,
  ): Promise<Map<number, number>>;
}

/**
 * An idempotent producer over raw Produce requests (acks=all): one producer id for the log, a sequence number per
 * partition, and on a lost answer or a broker restart the very same batch sent again, which the broker writes once.
 * Sends are made one at a time by the caller (the log serialises appends), so one batch per partition is in flight.
 */
export function createIdempotentProducer({
  cluster,
  uri,
  retryForMs = 120_000,
  requestTimeoutMs = 30_000,
}: {
  cluster: () => Promise<KafkaCluster>;
  uri: string;
  /** Keep resending for this long without success, in ms; default 120000. */
  retryForMs?: number;
  requestTimeoutMs?: number;
}): IdempotentProducer {
  let identity: { producerId: number; producerEpoch: number } | undefined;
  const sequences = new Map<string, number>();

  const initProducerId = async (c: KafkaCluster) => {
    const nodeId = (c as any).getNodeIds()[0];
    const broker: any = await c.findBroker({ nodeId: String(nodeId) });
    const answer = await broker.initProducerId({ transactionTimeout: 60_000 });
    return { producerId: Number(answer.producerId), producerEpoch: Number(answer.producerEpoch) };
  };

  /** Forget the producer id: its sequence numbers may now disagree with the broker's (a send that failed may have
   * been written), so a fresh id makes sure no later batch is taken for a duplicate and dropped. */
  const reset = () => {
    identity = undefined;
    sequences.clear();
  };

  return {
    async send(topic, byPartition, timestamp) {
      const c = await cluster();
      const started = Date.now();
      let backoffMs = 50;
      let lastError: unknown;
      // Each partition's batch is encoded once, with its sequence numbers, and resent unchanged.
      const batches = new Map<number, { batch: Buffer; count: number }>();
      const offsets = new Map<number, number>();
      try {
        while (Date.now() - started < retryForMs) {
          try {
            if (!identity) identity = await initProducerId(c);
            const id = identity;
            const pending = [...byPartition.keys()].filter((p) => !offsets.has(p));
            for (const partition of pending) {
              if (batches.has(partition)) continue;
              const records = byPartition.get(partition)!;
              batches.set(partition, {
                count: records.length,
                batch: encodeRecordBatch({
                  records,
                  timestamp,
                  producerId: id.producerId,
                  producerEpoch: id.producerEpoch,
                  baseSequence: sequences.get(`${topic}:${partition}`) ?? 0,
                }),
              });
            }
            await c.addTargetTopic(topic);
            for (const [leader, partitions] of Object.entries(c.findLeaderForPartitions(topic, pending))) {
              const broker: any = await c.findBroker({ nodeId: leader });
              const answer: ProducedPartition[] = await broker.connectionPool.send({
                ...produceRequest({
                  topic,
                  batches: partitions.map((partition) => ({
                    partition,
                    batch: batches.get(partition)!.batch,
                  })),
                  timeoutMs: requestTimeoutMs,
                }),
                requestTimeout: requestTimeoutMs + 5000,
              });
              for (const { partition, errorCode, baseOffset } of answer) {
                if (errorCode === 0 || errorCode === DUPLICATE_SEQUENCE) {
                  offsets.set(partition, baseOffset);
                  const key = `${topic}:${partition}`;
                  sequences.set(key, ((sequences.get(key) ?? 0) + batches.get(partition)!.count) % 2 ** 31);
                } else if (errorCode === UNKNOWN_PRODUCER_ID) {
                  // The broker forgot our producer (idle too long): nothing of this batch was written; start over
                  // with a new id for what is still pending.
                  lastError = new Error(
                    `Kafka error ${kafkaErrorOf(errorCode).kafkaError} (${errorCode}) on ${topic} partition ${partition}`,
                  );
                  identity = undefined;
                  sequences.clear();
                  for (const p of byPartition.keys()) if (!offsets.has(p)) batches.delete(p);
                } else if (!RETRIABLE.has(errorCode)) {
                  throw new ArboretumError(
                    'KAFKA_REFUSED',
                    `${uri}: produce to ${topic} partition ${partition} refused with Kafka error ${kafkaErrorOf(errorCode).kafkaError} (${errorCode})`,
                    {
                      context: {
                        topic,
                        partition,
                        kafkaError: kafkaErrorOf(errorCode).kafkaError,
                        kafkaCode: errorCode,
                      },
                    },
                  );
                } else {
                  lastError = new Error(
                    `Kafka error ${kafkaErrorOf(errorCode).kafkaError} (${errorCode}) on ${topic} partition ${partition}`,
                  );
                }
              }
            }
            if (offsets.size === byPartition.size) return offsets;
          } catch (e) {
            if (e instanceof ArboretumError) throw e;
            lastError = e;
          }
          await new Promise((r) => setTimeout(r, backoffMs));
          backoffMs = Math.min(backoffMs * 2, 1000);
          await c.refreshMetadata().catch(() => {});
        }
        throw new ArboretumError(
          'LOG_UNAVAILABLE',
          `${uri}: produce to ${topic}: no success for ${retryForMs} ms: ${messageOf(lastError)}`,
          { retriable: true, context: { topic }, cause: lastError },
        );
      } catch (e) {
        reset();
        throw e;
      }
    },
  };
}
