import { WireWriter } from '../wire/wireWriter.ts';

/** Kafka's OffsetCommit API key. */
export const OFFSET_COMMIT = 8;

/**
 * An OffsetCommit v2 request (the oldest Kafka 4 serves). Generation -1 and an empty member id commit outside any
 * group generation, which the coordinator accepts for a group without live members (a "simple" consumer).
 */
export function offsetCommitRequest(args: {
  groupId: string;
  generationId: number;
  memberId: string;
  topic: string;
  partitions: readonly { partition: number; offset: number }[];
}): { apiKey: number; apiVersion: number; body: Buffer[] } {
  const w = new WireWriter()
    .string(args.groupId)
    .int32(args.generationId)
    .string(args.memberId)
    .int64(-1) // retention time: the broker's default
    .int32(1) // one topic
    .string(args.topic)
    .int32(args.partitions.length);
  for (const p of args.partitions) w.int32(p.partition).int64(p.offset).string(null);
  return { apiKey: OFFSET_COMMIT, apiVersion: 2, body: [w.bytes()] };
}
