import type { AppendRecord } from '../eventLog.ts';
import type { Topic } from '../topics.ts';
import type { RecordToWrite } from './protocol/recordBatch/encodeRecordBatch.ts';

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
const headerValues = new Map<string, Buffer>();
/** Header values repeat (a few kinds, one fingerprint per record type): one Buffer each. */
const headerValue = (text: string) => {
  let b = headerValues.get(text);
  if (!b) {
    b = Buffer.from(text);
    headerValues.set(text, b);
  }
  return b;
};

/**
 * One appended record as a Kafka message: key = record key (tree id), value = the single-object encoding, headers =
 * the event kind (payload.kind for tree events, else the record name) and the writer schema's fingerprint (hex).
 * `partitionOf` maps the key to a partition (kafkajs' default, Java-compatible murmur2 partitioner).
 */
export function kafkaMessageOf<T>(
  topic: Topic<T>,
  record: AppendRecord<T>,
  partitionOf: (key: Buffer) => number,
): OutgoingMessage {
  const key = record.key ?? topic.keyOf(record.value);
  const keyBytes = Buffer.from(key);
  const payload = (record.value as { payload?: { kind?: unknown } }).payload;
  const kind = typeof payload?.kind === 'string' ? payload.kind : topic.codec.name;
  return {
    id: key,
    key: keyBytes,
    value: topic.codec.encode(record.value),
    partition: partitionOf(keyBytes),
    headers: [
      [kindHeader, headerValue(kind)],
      [fingerprintHeader, headerValue(topic.codec.fingerprint.toString('hex'))],
    ],
  };
}
