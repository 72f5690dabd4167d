import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur2Partition } from '../../connectors/log/kafka/murmur2Partition.ts';
import { crc32c, slicedCrc32c } from '../../connectors/log/kafka/protocol/recordBatch/crc32c.ts';
import {
  forEachRecord,
  lastWholeOffset,
  type RawRecord,
} from '../../connectors/log/kafka/protocol/recordBatch/recordBatches.ts';
import { RecordBatchWriter } from '../../connectors/log/kafka/protocol/recordBatch/recordBatchWriter.ts';
import { WireReader } from '../../connectors/log/kafka/protocol/wire/wireReader.ts';
import { encodeRecordBatch } from '../support/encodeRecordBatch.ts';

const require = createRequire(import.meta.url);
const { Partitioners } = require('kafkajs');

/** CRC-32C bit by bit (Castagnoli, reflected polynomial 0x82f63b78): a second implementation to check ours by. */
function bitwiseCrc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('Kafka wire format pieces', () => {
  it('crc32c: the standard check value, and a bit-by-bit implementation on random data', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (let n = 0; n < 300; n++) {
      const b = randomBytes(n * 7);
      expect(crc32c(b)).toBe(bitwiseCrc32c(b));
    }
  });

  it('crc32c: the JavaScript fallback (machines without @node-rs/crc32) agrees, at every length and offset', () => {
    expect(slicedCrc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(slicedCrc32c(new Uint8Array(0))).toBe(0);
    const data = randomBytes(4096);
    // Lengths around the 8-byte stride and views starting off a word boundary (a record batch's CRC covers bytes
    // from its attributes on, at any offset of the fetch answer).
    for (let start = 0; start < 9; start++)
      for (const n of [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4000]) {
        const view = data.subarray(start, start + n);
        expect(slicedCrc32c(view)).toBe(bitwiseCrc32c(view));
      }
  });

  it("murmur2Partition picks the partition of kafkajs' (Java-compatible) default partitioner", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0 }));
        expect(murmur2Partition(key, n)).toBe(
          partitioner({ topic: 't', partitionMetadata, message: { key } }),
        );
      }),
    );
  });

  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      key: Buffer.from(`tree-${i % 3}`),
      value: randomBytes((i * 131) % 3000),
      headers: [[Buffer.from('arboretum.kind'), Buffer.from('TurnExecuted')] as const],
    }));

  it('encodeRecordBatch writes the producer fields and a valid CRC, and forEachRecord reads it back', () => {
    const written = records(200);
    const batch = encodeRecordBatch({
      records: written,
      timestamp: 1_700_000_000_123,
      producerId: 4242,
      producerEpoch: 3,
      baseSequence: 77,
    });
    // Batch header fields at their offsets (protocol guide, RecordBatch); the byte-exact case is in
    // protocolFixtures.test.ts, and kcatInterop.test.ts has a real client read what we write.
    expect(batch.readBigInt64BE(43)).toBe(4242n); // producer id
    expect(batch.readInt16BE(51)).toBe(3); // producer epoch
    expect(batch.readInt32BE(53)).toBe(77); // base sequence
    expect(batch.readInt32BE(57)).toBe(200); // records
    expect(batch.readUInt32BE(17)).toBe(bitwiseCrc32c(batch.subarray(21)));

    // As fetched: base offset set by the broker, two batches back to back, the second cut short by the size limit.
    batch.writeUInt32BE(0, 0);
    batch.writeUInt32BE(1000, 4);
    const second = encodeRecordBatch({
      records: written.slice(0, 5),
      timestamp: 1,
      producerId: 1,
      producerEpoch: 0,
      baseSequence: 0,
    });
    const got: RawRecord[] = [];
    forEachRecord(Buffer.concat([batch, second.subarray(0, 70)]), (r) => got.push(r));
    expect(got.map((r) => r.offset)).toEqual(written.map((_, i) => 1000 + i));
    expect(lastWholeOffset(Buffer.concat([batch, second.subarray(0, 70)]))).toBe(1199);
    expect(got.map((r) => r.value)).toEqual(written.map((r) => r.value));
    expect(got.map((r) => r.key?.toString())).toEqual(written.map((r) => r.key.toString()));
    expect(got.every((r) => r.timestamp === 1_700_000_000_123)).toBe(true);
  });

  it('WireReader.varint reads zig-zag varints and varlongs of any size below 2^52', () => {
    // The protocol guide's encoding, written here bit by bit: zig-zag, then 7 bits a byte, low bits first.
    const varint = (n: number) => {
      let z = n >= 0 ? BigInt(n) * 2n : BigInt(-n) * 2n - 1n;
      const out: number[] = [];
      for (; z >= 128n; z >>= 7n) out.push(Number(z & 127n) | 0x80);
      return [...out, Number(z)];
    };
    const edges = [0, 1, -1, 63, -64, 64, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 1_700_000_000_123];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...edges),
          fc.maxSafeNat().map((n) => Math.floor(n / 2)),
          fc.integer(),
        ),
        (n) => {
          const r = new WireReader(Buffer.from([...varint(n), ...varint(-n), 7]));
          expect([r.varint(), r.varint(), r.int8()]).toEqual([n, n === 0 ? 0 : -n, 7]);
        },
      ),
    );
  });

  it('RecordBatchWriter grows from a small Buffer, keeps a batch under its limit, takes a record above it alone', () => {
    const writeBytes = (value: Buffer, buf: Buffer, at: number) => {
      const end = at + value.length;
      if (end > buf.length) return buf.length - end;
      buf.set(value, at);
      return end;
    };
    // Values across the 1-, 2- and 3-byte length prefixes (63/64 B, 8191/8192 B) and one above the limit.
    const sizes = [0, 1, 63, 64, 200, 8191, 8192, 9000, 70_000, 5, 150_000, 3];
    const values = sizes.map((n) => randomBytes(n));
    const limit = 100_000;
    const batches: RecordBatchWriter[] = [new RecordBatchWriter(Buffer.allocUnsafe(0), limit)];
    for (const value of values) {
      const key = Buffer.from(`key-${value.length}`);
      if (!batches[batches.length - 1].add(key, value, writeBytes, Buffer.from([0]))) {
        batches.push(new RecordBatchWriter(Buffer.allocUnsafe(2000), limit));
        expect(batches[batches.length - 1].add(key, value, writeBytes, Buffer.from([0]))).toBe(true);
      }
    }
    expect(batches.map((b) => b.count)).toEqual([10, 1, 1]); // 95,716 B of values, then 150,000 alone
    const got: RawRecord[] = [];
    batches.forEach((b, i) => {
      const batch = b.finish({ timestamp: 9, producerId: 1, producerEpoch: 0, baseSequence: i });
      if (b.count > 1) expect(batch.length).toBeLessThanOrEqual(limit);
      expect(batch.readUInt32BE(17)).toBe(bitwiseCrc32c(batch.subarray(21)));
      forEachRecord(batch, (r) => got.push(r));
    });
    expect(got.map((r) => r.value)).toEqual(values);
    expect(got.map((r) => `${r.key}`)).toEqual(sizes.map((n) => `key-${n}`));
  });

  it('forEachRecord reads gzip batches, skips control batches and reports their offsets', () => {
    const plain = encodeRecordBatch({
      records: records(10),
      timestamp: 5,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
    });
    const body = plain.subarray(61);
    const gz = gzipSync(body);
    const zipped = Buffer.concat([plain.subarray(0, 61), gz]);
    zipped.writeInt32BE(zipped.length - 12, 8);
    zipped.writeInt16BE(1, 21); // gzip
    const control = Buffer.from(plain.subarray(0, 61));
    control.writeInt32BE(61 - 12, 8);
    control.writeUInt32BE(10, 4); // base offset 10
    control.writeInt32BE(0, 23);
    control.writeInt16BE(0x20, 21);
    const got: RawRecord[] = [];
    const controls: number[] = [];
    forEachRecord(
      Buffer.concat([zipped, control]),
      (r) => got.push(r),
      (last) => controls.push(last),
    );
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(controls).toEqual([10]);
  });
});
