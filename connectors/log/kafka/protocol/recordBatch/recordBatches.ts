import { gunzipSync } from 'node:zlib';
import { ArboretumError } from '../../../../../schemas/errors.ts';
import { WireReader as Reader } from '../wire/wireReader.ts';

/** One record of a fetched record batch; key and value are views into the response buffer (not copies). */
export interface RawRecord {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

const COMPRESSION_NONE = 0;
const COMPRESSION_GZIP = 1;
const CONTROL_BIT = 0x20;
const BATCH_HEADER_BYTES = 61;

/**
 * Calls `each` for every data record of a record set (record batches, magic 2) in order, skipping control batches.
 * A batch cut short at the end of the set (the fetch size limit) is left for the next fetch. Uncompressed and gzip
 * batches are read; our producer and kcat's default send uncompressed batches.
 */
export function forEachRecord(
  records: Buffer,
  each: (record: RawRecord) => void,
  /** Told the last offset of each control batch (transaction markers take offsets too). */
  onControl: (lastOffset: number) => void = () => {},
): void {
  const r = new Reader(records);
  while (r.at + BATCH_HEADER_BYTES <= records.length) {
    const start = r.at;
    const baseOffset = r.int64();
    const batchLength = r.int32();
    const end = r.at + batchLength;
    if (end > records.length) return;
    r.int32(); // partition leader epoch
    const magic = r.int8();
    if (magic !== 2) {
      throw new ArboretumError(
        'UNSUPPORTED',
        `record batch at offset ${baseOffset} has message format ${magic}, not 2`,
        { context: { offset: Number(baseOffset) } },
      );
    }
    r.int32(); // crc (the broker checked it on append)
    const attributes = r.int16();
    const lastOffsetDelta = r.int32();
    const firstTimestamp = r.int64();
    r.int64(); // max timestamp
    r.int64(); // producer id
    r.int16(); // producer epoch
    r.int32(); // base sequence
    const count = r.int32();
    if (attributes & CONTROL_BIT) {
      onControl(baseOffset + lastOffsetDelta);
      r.at = end;
      continue;
    }
    const compression = attributes & 0x07;
    let body: Reader;
    if (compression === COMPRESSION_NONE) body = r;
    else if (compression === COMPRESSION_GZIP) body = new Reader(gunzipSync(records.subarray(r.at, end)));
    else {
      throw new ArboretumError(
        'UNSUPPORTED',
        `record batch at offset ${baseOffset} is compressed with codec ${compression}; only none and gzip are read`,
        { context: { offset: Number(baseOffset) } },
      );
    }
    for (let i = 0; i < count; i++) {
      body.varint(); // record length
      body.int8(); // attributes
      const timestampDelta = body.varint();
      const offsetDelta = body.varint();
      const key = body.bytes(body.varint());
      const value = body.bytes(body.varint());
      const headers = body.varint();
      // Headers are not read (ours repeat what the value's fingerprint and kind say): passed over, no views made.
      for (let h = 0; h < headers; h++) {
        body.skip(body.varint());
        body.skip(body.varint());
      }
      each({ offset: baseOffset + offsetDelta, timestamp: firstTimestamp + timestampDelta, key, value });
    }
    r.at = end;
    if (r.at <= start) return;
  }
}

/** The last offset of the last whole batch of a record set (control batches included), from batch headers only. */
export function lastWholeOffset(records: Buffer): number | undefined {
  let at = 0;
  let last: number | undefined;
  while (at + BATCH_HEADER_BYTES <= records.length) {
    const end = at + 12 + records.readInt32BE(at + 8);
    if (end > records.length) break;
    const baseOffset = records.readInt32BE(at) * 4294967296 + records.readUInt32BE(at + 4);
    last = baseOffset + records.readInt32BE(at + 23);
    at = end;
  }
  return last;
}
