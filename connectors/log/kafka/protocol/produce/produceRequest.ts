import { WireWriter } from '../wire/wireWriter.ts';

/** Kafka's Produce API key. */
export const PRODUCE = 0;

/**
 * A Produce v3 request (the oldest Kafka 4 serves; every version up to 8 has this layout) carrying ready-made record
 * batches, acks=all, as body pieces: the batches are sent as they are, not copied.
 */
export function produceRequest(args: {
  topic: string;
  batches: readonly { partition: number; batch: Buffer }[];
  timeoutMs: number;
}): { apiKey: number; apiVersion: number; body: Buffer[] } {
  const head = new WireWriter()
    .int16(-1) // transactional id: null
    .int16(-1) // acks: all in-sync replicas
    .int32(args.timeoutMs)
    .int32(1) // one topic
    .string(args.topic)
    .int32(args.batches.length)
    .bytes();
  const body = [head];
  for (const { partition, batch } of args.batches) {
    body.push(new WireWriter(8).int32(partition).int32(batch.length).bytes(), batch);
  }
  return { apiKey: PRODUCE, apiVersion: 3, body };
}
