import type { Topic } from '../topics.ts';
import { encodeHeaders } from './protocol/recordBatch/recordBatchWriter.ts';

/** Header names our producer writes on every message. */
export const KIND_HEADER = 'arboretum.kind';
export const FINGERPRINT_HEADER = 'arboretum.fingerprint';

const kindHeader = Buffer.from(KIND_HEADER);
const fingerprintHeader = Buffer.from(FINGERPRINT_HEADER);
/** Headers repeat (a few kinds, one fingerprint per record type): each set encoded once, by codec and kind. */
const encoded = new WeakMap<object, Map<string, Buffer>>();

/**
 * The headers of one appended record as they sit in a record batch (RecordBatchWriter): the event kind
 * (payload.kind for tree events, else the record name) and the writer schema's fingerprint (hex).
 */
export function kafkaHeadersOf<T>(topic: Topic<T>, value: T): Buffer {
  const payload = (value as { payload?: { kind?: unknown } }).payload;
  const kind = typeof payload?.kind === 'string' ? payload.kind : topic.codec.name;
  let byKind = encoded.get(topic.codec);
  if (!byKind) {
    byKind = new Map();
    encoded.set(topic.codec, byKind);
  }
  let headers = byKind.get(kind);
  if (!headers) {
    headers = encodeHeaders([
      [kindHeader, Buffer.from(kind)],
      [fingerprintHeader, Buffer.from(topic.codec.fingerprint.toString('hex'))],
    ]);
    byKind.set(kind, headers);
  }
  return headers;
}
