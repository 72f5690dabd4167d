import { ArboretumError, messageOf } from '../../../schemas/errors.ts';
import { encodeRecordBatch, type RecordToWrite } from './encodeRecordBatch.ts';
import type { KafkaCluster } from './kafkaCluster.ts';
import { type ProducedPartition, produceRequest } from './produceRequest.ts';

/** Kafka errors after which the same batch is sent again (leader moved, broker busy or restarting). */
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56]);
const DUPLICATE_SEQUENCE = 46;

export interface IdempotentProducer {
  /** Writes each partition's records as one batch (in order); resolves with each partition's base offset. */
  send(
    topic: string,
    byPartition: ReadonlyMap<number, readonly RecordToWrite[]>,
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

  return {
    async send(topic, byPartition) {
      const c = await cluster();
      const started = Date.now();
      let backoffMs = 50;
      let lastError: unknown;
      // Batches are encoded once, with their sequence numbers, and resent unchanged.
      let batches: { partition: number; batch: Buffer; count: number }[] | undefined;
      const offsets = new Map<number, number>();
      while (Date.now() - started < retryForMs) {
        try {
          if (!identity) identity = await initProducerId(c);
          const id = identity;
          batches ??= [...byPartition].map(([partition, records]) => ({
            partition,
            count: records.length,
            batch: encodeRecordBatch({
              records,
              timestamp: Date.now(),
              producerId: id.producerId,
              producerEpoch: id.producerEpoch,
              baseSequence: sequences.get(`${topic}:${partition}`) ?? 0,
            }),
          }));
          const pending = batches.filter((b) => !offsets.has(b.partition));
          await c.addTargetTopic(topic);
          const byLeader = c.findLeaderForPartitions(
            topic,
            pending.map((b) => b.partition),
          );
          for (const [leader, partitions] of Object.entries(byLeader)) {
            const broker: any = await c.findBroker({ nodeId: leader });
            const answer: ProducedPartition[] = await broker.connectionPool.send({
              ...produceRequest({
                topic,
                batches: pending.filter((b) => partitions.includes(b.partition)),
                timeoutMs: requestTimeoutMs,
              }),
              requestTimeout: requestTimeoutMs + 5000,
            });
            for (const { partition, errorCode, baseOffset } of answer) {
              if (errorCode === 0 || errorCode === DUPLICATE_SEQUENCE) {
                offsets.set(partition, baseOffset);
                const b = batches.find((x) => x.partition === partition)!;
                const key = `${topic}:${partition}`;
                sequences.set(key, ((sequences.get(key) ?? 0) + b.count) % 2 ** 31);
              } else if (!RETRIABLE.has(errorCode)) {
                throw new ArboretumError(
                  'LOG_UNAVAILABLE',
                  `${uri}: produce to ${topic} partition ${partition} refused with Kafka error code ${errorCode}`,
                  { context: { topic, partition } },
                );
              } else {
                lastError = new Error(`Kafka error code ${errorCode} on ${topic} partition ${partition}`);
              }
            }
          }
          if (offsets.size === batches.length) return offsets;
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
    },
  };
}
