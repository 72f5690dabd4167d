import { zigzagVarintSize } from '../../../zigzagVarintSize.ts';
import { crc32c } from './crc32c.ts';

/**
 * Writes `value` into `buf` at `at` and returns where it ends; when it does not fit, returns a negative number,
 * minus the bytes missing past the end of `buf` (avsc's `Type.encode` convention), and the writer grows and asks again.
 * One function for all values (no closure per record).
 */
export type ValueWriter<V> = (value: V, buf: Buffer, at: number) => number;

/** The producer fields of a batch, set when it is sent (and set again for a resend under a new producer id). */
export interface BatchIdentity {
  /** Create time of every record of the batch, epoch ms. */
  readonly timestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

export const BATCH_HEADER_BYTES = 61;
const CRC_START = 21;

function writeVarint(buf: Buffer, at: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  while (v >= 128) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

function writeInt64(buf: Buffer, at: number, n: number): void {
  buf.writeInt32BE(Math.floor(n / 4294967296), at);
  buf.writeUInt32BE(n >>> 0, at + 4);
}

/** A record's headers as they sit in the batch (count, then each key and value with its length): made once, copied per record. */
export function encodeHeaders(headers: readonly (readonly [Uint8Array, Uint8Array])[]): Buffer {
  let size = zigzagVarintSize(headers.length);
  for (const [k, v] of headers)
    size += zigzagVarintSize(k.length) + k.length + zigzagVarintSize(v.length) + v.length;
  const buf = Buffer.allocUnsafe(size);
  let at = writeVarint(buf, 0, headers.length);
  for (const [k, v] of headers) {
    at = writeVarint(buf, at, k.length);
    buf.set(k, at);
    at = writeVarint(buf, at + k.length, v.length);
    buf.set(v, at);
    at += v.length;
  }
  return buf;
}

/**
 * A Kafka record batch (magic 2, uncompressed) written record by record into one growing Buffer, each value encoded
 * straight into its place by a ValueWriter (the Avro codec): no Buffer per value and no copy of it into the batch,
 * which, with the slab the codec wrote into, were half of the bytes our producer allocated (README.md).
 * A record's two length prefixes (record and value) are varints whose size is known only after the value is written:
 * the value is written behind room for 2 + 2 bytes (values of 64 B to 8 KiB), and moved once it needs other sizes.
 * The batch header (producer id, epoch, sequence, timestamp) and the CRC-32C are written by `finish`.
 * A batch holds at most `limit` bytes (one produce request each) unless its first record alone is bigger: `add`
 * refuses a record that would take it over, and it goes first in the next batch.
 */
export class RecordBatchWriter {
  private buf: Buffer;
  private at = BATCH_HEADER_BYTES;
  private records = 0;

  /**
   * `buffer`: where to write (from a pool, or new; the batch moves to a bigger one when it is full, up to `limit`);
   * `limit`: the most bytes a batch of several records may take.
   */
  constructor(
    buffer: Buffer,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.buf = buffer.length >= 1024 ? buffer : Buffer.allocUnsafe(1024);
  }

  /** Records written so far. */
  get count(): number {
    return this.records;
  }

  /** Bytes of the batch so far, its header included. */
  get size(): number {
    return this.at;
  }

  /** The Buffer written into (to give back to a pool once the batch was sent). */
  get buffer(): Buffer {
    return this.buf;
  }

  /** Moves to a Buffer of at least `needed` bytes (double, within the limit if it allows), keeping `keep` bytes. */
  private grow(needed: number, keep: number): void {
    const doubled = Math.max(this.buf.length * 2, needed + 1024);
    const grown = Buffer.allocUnsafe(needed <= this.limit ? Math.min(doubled, this.limit) : doubled);
    grown.set(this.buf.subarray(0, keep), 0);
    this.buf = grown;
  }

  /**
   * Appends one record: `key`, `value` as `writeValue` writes it in place, and headers made by encodeHeaders.
   * False (nothing written) when it would take a batch that has records over the limit.
   */
  add<V>(key: Uint8Array, value: V, writeValue: ValueWriter<V>, headers: Uint8Array): boolean {
    const offsetDelta = this.records;
    // attributes (0), timestamp delta (0), offset delta, key length, key
    const lead = 2 + zigzagVarintSize(offsetDelta) + zigzagVarintSize(key.length) + key.length;
    const start = this.at;
    let valueAt = start + 2 + lead + 2;
    let end =
      valueAt + 16 > this.buf.length
        ? -(valueAt + 16 - this.buf.length)
        : writeValue(value, this.buf, valueAt);
    while (end < 0) {
      const needed = this.buf.length - end + headers.length + 8;
      if (needed > this.limit && this.records > 0) return false;
      this.grow(needed, start);
      end = writeValue(value, this.buf, valueAt);
    }
    const length = end - valueAt;
    const valuePrefix = zigzagVarintSize(length);
    const body = lead + valuePrefix + length + headers.length;
    const recordPrefix = zigzagVarintSize(body);
    const at = start + recordPrefix + lead + valuePrefix;
    const recordEnd = at + length + headers.length;
    if (recordEnd > this.limit && this.records > 0) return false;
    if (recordEnd > this.buf.length) this.grow(recordEnd, end);
    if (at !== valueAt) {
      this.buf.copyWithin(at, valueAt, end);
      valueAt = at;
      end = at + length;
    }
    const buf = this.buf;
    let w = writeVarint(buf, start, body);
    buf[w++] = 0; // attributes
    buf[w++] = 0; // timestamp delta: every record has the batch's timestamp
    w = writeVarint(buf, w, offsetDelta);
    w = writeVarint(buf, w, key.length);
    buf.set(key, w);
    writeVarint(buf, w + key.length, length);
    buf.set(headers, end);
    this.at = recordEnd;
    this.records++;
    return true;
  }

  /** The batch with its header and CRC-32C, a view of the writer's buffer; may be called again with another identity. */
  finish(identity: BatchIdentity): Buffer {
    const buf = this.buf;
    const count = this.records;
    writeInt64(buf, 0, 0); // base offset: the broker assigns it
    buf.writeInt32BE(this.at - 12, 8); // batch length: what follows this field
    buf.writeInt32BE(-1, 12); // partition leader epoch
    buf.writeInt8(2, 16); // magic
    buf.writeInt16BE(0, 21); // attributes: no compression, not transactional, create time
    buf.writeInt32BE(count - 1, 23); // last offset delta
    writeInt64(buf, 27, identity.timestamp); // first timestamp
    writeInt64(buf, 35, identity.timestamp); // max timestamp
    writeInt64(buf, 43, identity.producerId);
    buf.writeInt16BE(identity.producerEpoch, 51);
    buf.writeInt32BE(identity.baseSequence, 53);
    buf.writeInt32BE(count, 57);
    const batch = buf.subarray(0, this.at);
    buf.writeUInt32BE(crc32c(batch.subarray(CRC_START)), 17);
    return batch;
  }
}
