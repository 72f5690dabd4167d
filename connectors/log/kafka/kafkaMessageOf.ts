import type { AppendRecord } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import type { RecordToWrite } from './encodeRecordBatch.ts';

/** Header names our producer writes on every message. */
export const KIND_HEADER = 'arboretum.kind';
export const FINGERPRINT_HEADER = 'arboretum.fingerprint';

/** What the producer sends for one record. */
export interface OutgoingMessage extends RecordToWrite {
  /** The record key (tree id) as text. */
  readonly id: string;
  readonly partition: number;
}

const kindHeader = Buffer.from(KIND_HEADER);
const fingerprintHeader = Buffer.from(FINGERPRINT_HEADER);

/**
 * One appended record as a Kafka message: key = record key (tree id), value = the single-object encoding, headers =
 * the event kind (payload.kind for tree events, else the record name) and the writer schema's fingerprint (hex).
 * `partitionOf` maps the key to a partition (kafkajs' default, Java-compatible murmur2 partitioner).
 */
export function kafkaMessageOf<T>(
  topic: Topic<T>,
  record: AppendRecord<T>,
  partitionOf: (key: string) => number,
): OutgoingMessage {
  const key = record.key ?? topic.keyOf(record.value);
  const payload = (record.value as { payload?: { kind?: unknown } }).payload;
  const kind = typeof payload?.kind === 'string' ? payload.kind : topic.codec.name;
  return {
    id: key,
    key: Buffer.from(key),
    value: topic.codec.encode(record.value),
    partition: partitionOf(key),
    headers: [
      [kindHeader, Buffer.from(kind)],
      [fingerprintHeader, Buffer.from(topic.codec.fingerprint.toString('hex'))],
    ],
  };
}
