import { crc32c } from './crc32c.ts';

/** One record to write: key and value bytes, headers as UTF-8 strings. */
export interface RecordToWrite {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: readonly (readonly [Buffer, Buffer])[];
}

/** Bytes of a zig-zag varint. */
function varintSize(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

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

const BATCH_HEADER_BYTES = 61;
const CRC_START = 21;

/**
 * A Kafka record batch (magic 2, uncompressed) in one Buffer, sized up front: kafkajs builds one growing encoder per
 * record and copies each a few times, which made producing GC-bound. Idempotence: `producerId`, `producerEpoch` and
 * `baseSequence` let the broker drop a batch resent after a lost answer.
 */
export function encodeRecordBatch(args: {
  readonly records: readonly RecordToWrite[];
  readonly timestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}): Buffer {
  const { records, timestamp } = args;
  const bodies = records.map((r, i) => {
    let size = 1 + varintSize(0) + varintSize(i);
    size += varintSize(r.key.length) + r.key.length + varintSize(r.value.length) + r.value.length;
    size += varintSize(r.headers.length);
    for (const [k, v] of r.headers) size += varintSize(k.length) + k.length + varintSize(v.length) + v.length;
    return size;
  });
  const total = BATCH_HEADER_BYTES + bodies.reduce((a, s) => a + varintSize(s) + s, 0);
  const buf = Buffer.allocUnsafe(total);
  writeInt64(buf, 0, 0); // base offset: the broker assigns it
  buf.writeInt32BE(total - 12, 8); // batch length: what follows this field
  buf.writeInt32BE(-1, 12); // partition leader epoch
  buf.writeInt8(2, 16); // magic
  buf.writeInt16BE(0, 21); // attributes: no compression, not transactional, create time
  buf.writeInt32BE(records.length - 1, 23); // last offset delta
  writeInt64(buf, 27, timestamp); // first timestamp
  writeInt64(buf, 35, timestamp); // max timestamp
  writeInt64(buf, 43, args.producerId);
  buf.writeInt16BE(args.producerEpoch, 51);
  buf.writeInt32BE(args.baseSequence, 53);
  buf.writeInt32BE(records.length, 57);
  let at = BATCH_HEADER_BYTES;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    at = writeVarint(buf, at, bodies[i]);
    buf[at++] = 0; // attributes
    at = writeVarint(buf, at, 0); // timestamp delta
    at = writeVarint(buf, at, i); // offset delta
    at = writeVarint(buf, at, r.key.length);
    at += r.key.copy(buf, at);
    at = writeVarint(buf, at, r.value.length);
    at += r.value.copy(buf, at);
    at = writeVarint(buf, at, r.headers.length);
    for (const [k, v] of r.headers) {
      at = writeVarint(buf, at, k.length);
      at += k.copy(buf, at);
      at = writeVarint(buf, at, v.length);
      at += v.copy(buf, at);
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(CRC_START)), 17);
  return buf;
}
