import { createRequire } from 'node:module';
import { Reader } from './recordBatches.ts';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js');

const FETCH = 1;

/** What one partition of a fetch answered: its error code, high watermark and raw record set. */
export interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly records: Buffer | null;
}

/**
 * A Fetch v4 request whose response is left as raw record sets (kafkajs decodes every record into objects, which
 * costs more than the records' Avro decoding; see recordBatches.ts). v4 is the oldest Fetch that Kafka 4 still
 * serves and the newest that needs no session fields.
 */
export function fetchRequest(args: {
  maxWaitMs: number;
  maxBytes: number;
  isolationLevel: number;
  topic: string;
  partitions: readonly { partition: number; fetchOffset: number; maxBytes: number }[];
}) {
  return {
    request: {
      apiKey: FETCH,
      apiVersion: 4,
      apiName: 'Fetch',
      encode: async () =>
        new Encoder()
          .writeInt32(-1) // replica id: a consumer
          .writeInt32(args.maxWaitMs)
          .writeInt32(1) // min bytes
          .writeInt32(args.maxBytes)
          .writeInt8(args.isolationLevel)
          .writeArray([
            new Encoder()
              .writeString(args.topic)
              .writeArray(
                args.partitions.map((p) =>
                  new Encoder().writeInt32(p.partition).writeInt64(p.fetchOffset).writeInt32(p.maxBytes),
                ),
              ),
          ]),
    },
    response: {
      decode: async (raw: Buffer): Promise<FetchedPartition[]> => {
        const r = new Reader(raw);
        r.int32(); // throttle time
        const out: FetchedPartition[] = [];
        for (let t = r.int32(); t > 0; t--) {
          r.bytes(r.int16()); // topic name
          for (let p = r.int32(); p > 0; p--) {
            const partition = r.int32();
            const errorCode = r.int16();
            const highWatermark = r.int64();
            r.int64(); // last stable offset
            for (let a = r.int32(); a > 0; a--) r.at += 16; // aborted transactions (we write none)
            const records = r.bytes(r.int32());
            out.push({ partition, errorCode, highWatermark, records });
          }
        }
        return out;
      },
      parse: async (data: FetchedPartition[]) => data,
    },
  };
}
