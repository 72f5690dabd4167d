import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../connectors/log/kafka/protocol/recordBatch/crc32c.ts';
import { encodeRecordBatch } from '../../connectors/log/kafka/protocol/recordBatch/encodeRecordBatch.ts';
import { murmur2Partition } from '../../connectors/log/kafka/murmur2Partition.ts';
import { forEachRecord, lastWholeOffset, type RawRecord } from '../../connectors/log/kafka/protocol/recordBatch/recordBatches.ts';

const require = createRequire(import.meta.url);
const { Partitioners } = require('kafkajs');
const kafkajsCrc32c = require('kafkajs/src/protocol/recordBatch/crc32C/index.js');
const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');

describe('Kafka wire format pieces', () => {
  it('crc32c: the standard check value and kafkajs on random data', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    for (let n = 0; n < 300; n++) {
      const b = randomBytes(n * 7);
      expect(crc32c(b)).toBe(kafkajsCrc32c(b));
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

  it('encodeRecordBatch writes a batch kafkajs decodes, with a valid CRC, and forEachRecord reads it back', async () => {
    const written = records(200);
    const batch = encodeRecordBatch({
      records: written,
      timestamp: 1_700_000_000_123,
      producerId: 4242,
      producerEpoch: 3,
      baseSequence: 77,
    });
    const theirs = await RecordBatchDecoder(new Decoder(batch));
    expect(theirs.producerId).toBe('4242');
    expect(theirs.firstSequence).toBe(77);
    expect(theirs.records.map((r: any) => r.value)).toEqual(written.map((r) => r.value));
    expect(theirs.records.map((r: any) => r.headers['arboretum.kind'].toString())).toEqual(
      written.map(() => 'TurnExecuted'),
    );
    expect(batch.readUInt32BE(17)).toBe(crc32c(batch.subarray(21)));

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
