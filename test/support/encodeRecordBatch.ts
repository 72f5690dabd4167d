import {
  encodeHeaders,
  RecordBatchWriter,
} from '../../connectors/log/kafka/protocol/recordBatch/recordBatchWriter.ts';

/** One record to write: key and value bytes, headers as UTF-8 strings. */
export interface RecordToWrite {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly headers: readonly (readonly [Buffer, Buffer])[];
}

const writeBytes = (value: Buffer, buf: Buffer, at: number): number => {
  const end = at + value.length;
  if (end > buf.length) return buf.length - end;
  buf.set(value, at);
  return end;
};

/**
 * A Kafka record batch (magic 2, uncompressed) of ready-made values in one Buffer, for tests and fixtures: through
 * RecordBatchWriter, the producer's own path (where the codec writes each value in place). Idempotence:
 * `producerId`, `producerEpoch` and `baseSequence` let the broker drop a batch resent after a lost answer.
 */
export function encodeRecordBatch(args: {
  readonly records: readonly RecordToWrite[];
  readonly timestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}): Buffer {
  let bytes = 61;
  for (const r of args.records) bytes += r.key.length + r.value.length + 64;
  const writer = new RecordBatchWriter(Buffer.allocUnsafe(bytes));
  for (const { key, value, headers } of args.records) {
    writer.add(key, value, writeBytes, encodeHeaders(headers));
  }
  return writer.finish(args);
}
