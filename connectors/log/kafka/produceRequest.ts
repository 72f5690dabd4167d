import { createRequire } from 'node:module';
import { Reader } from './recordBatches.ts';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js');

const PRODUCE = 0;

/** What one partition of a produce answered. */
export interface ProducedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly baseOffset: number;
}

/** A Produce v3 request (the oldest Kafka 4 serves) carrying ready-made record batches, acks=all. */
export function produceRequest(args: {
  topic: string;
  batches: readonly { partition: number; batch: Buffer }[];
  timeoutMs: number;
}) {
  return {
    request: {
      apiKey: PRODUCE,
      apiVersion: 3,
      apiName: 'Produce',
      encode: async () => {
        const e = new Encoder(args.batches.reduce((n, b) => n + b.batch.length + 8, 64));
        e.writeInt16(-1); // transactional id: null
        e.writeInt16(-1); // acks: all in-sync replicas
        e.writeInt32(args.timeoutMs);
        e.writeInt32(1); // one topic
        e.writeString(args.topic);
        e.writeInt32(args.batches.length);
        for (const { partition, batch } of args.batches) {
          e.writeInt32(partition);
          e.writeInt32(batch.length);
          e.writeBuffer(batch);
        }
        return e;
      },
    },
    response: {
      decode: async (raw: Buffer): Promise<ProducedPartition[]> => {
        const r = new Reader(raw);
        const out: ProducedPartition[] = [];
        for (let t = r.int32(); t > 0; t--) {
          r.bytes(r.int16());
          for (let p = r.int32(); p > 0; p--) {
            const partition = r.int32();
            const errorCode = r.int16();
            const baseOffset = r.int64();
            r.int64(); // log append time
            out.push({ partition, errorCode, baseOffset });
          }
        }
        return out;
      },
      parse: async (data: ProducedPartition[]) => data,
    },
  };
}
