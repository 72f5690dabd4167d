import { WireWriter } from '../wire/wireWriter.ts';

/** Kafka's Fetch API key. */
export const FETCH = 1;

/**
 * A Fetch v4 request: the oldest Fetch that Kafka 4 still serves and the newest that needs no session fields. Its
 * response is decoded by fetchResponse into raw record sets, read in place (recordBatches.ts).
 */
export function fetchRequest(args: {
  maxWaitMs: number;
  maxBytes: number;
  /** 0 read uncommitted, 1 read committed. */
  isolationLevel: number;
  topic: string;
  partitions: readonly { partition: number; fetchOffset: number; maxBytes: number }[];
}): { apiKey: number; apiVersion: number; body: Buffer[] } {
  const w = new WireWriter()
    .int32(-1) // replica id: a consumer
    .int32(args.maxWaitMs)
    .int32(1) // min bytes
    .int32(args.maxBytes)
    .int8(args.isolationLevel)
    .int32(1) // one topic
    .string(args.topic)
    .int32(args.partitions.length);
  for (const p of args.partitions) w.int32(p.partition).int64(p.fetchOffset).int32(p.maxBytes);
  return { apiKey: FETCH, apiVersion: 4, body: [w.bytes()] };
}
