import { createHash } from 'node:crypto';
import type { RecordCodec } from '../../schemas/codec.ts';

/** The value with every plain object's keys in sorted order (arrays and bytes as they are). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedKeys((value as Record<string, unknown>)[k]);
  return out;
}

/**
 * A digest of a record's content: SHA-256 (first 128 bits, base64url, 22 chars) of its Avro binary encoding under the
 * current schema, map keys sorted (Avro writes maps in insertion order; records in schema order anyway), so the same
 * content read from JSON or decoded from the log under an older writer schema hashes the same.
 */
export function recordHash<T>(codec: RecordCodec<T>, value: T): string {
  const bytes = codec.type.toBuffer(sortedKeys(codec.toAvro(value)));
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}
