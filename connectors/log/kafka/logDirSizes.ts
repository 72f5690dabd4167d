import { createRequire } from 'node:module';
import type { KafkaCluster } from './kafkaCluster.ts';

const require = createRequire(import.meta.url);
const Encoder = require('kafkajs/src/protocol/encoder.js');
const Decoder = require('kafkajs/src/protocol/decoder.js');

/** Kafka's DescribeLogDirs API key; kafkajs 2.2.4 does not implement this request, so it is encoded here (v1). */
const DESCRIBE_LOG_DIRS = 35;

interface LogDirsResponse {
  results: {
    errorCode: number;
    logDir: string;
    topics: { name: string; partitions: { partition: number; size: number }[] }[];
  }[];
}

function describeLogDirsRequest() {
  return {
    request: {
      apiKey: DESCRIBE_LOG_DIRS,
      apiVersion: 1,
      apiName: 'DescribeLogDirs',
      // A null topic list (-1) asks for every topic; the topics' partition lists could not be null.
      encode: async () => new Encoder().writeInt32(-1),
    },
    response: {
      decode: async (raw: Buffer): Promise<LogDirsResponse> => {
        const d = new Decoder(raw);
        d.readInt32(); // throttle time
        const results = d.readArray((r: any) => ({
          errorCode: r.readInt16(),
          logDir: r.readString(),
          topics: r.readArray((t: any) => ({
            name: t.readString(),
            partitions: t.readArray((p: any) => {
              const partition = p.readInt32();
              const size = Number(p.readInt64());
              p.readInt64(); // offset lag
              p.readBoolean(); // is future
              return { partition, size };
            }),
          })),
        }));
        return { results };
      },
      parse: async (data: LogDirsResponse) => data,
    },
  };
}

/**
 * Bytes on disk per topic (the largest replica of each partition, summed), asked of every broker with
 * DescribeLogDirs. `topics` are Kafka topic names.
 */
export async function logDirSizes(
  cluster: KafkaCluster,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const sizesOf = new Set(topics);
  const largest = new Map<string, number>();
  const c = cluster as any;
  await cluster.refreshMetadata();
  for (const nodeId of c.getNodeIds() as number[]) {
    const broker = await cluster.findBroker({ nodeId: String(nodeId) });
    const response: LogDirsResponse = await (broker as any).connectionPool.send(describeLogDirsRequest());
    for (const dir of response.results) {
      for (const t of dir.topics.filter((x) => sizesOf.has(x.name))) {
        for (const p of t.partitions) {
          const k = `${t.name}\u0000${p.partition}`;
          largest.set(k, Math.max(largest.get(k) ?? 0, p.size));
        }
      }
    }
  }
  const sizes = new Map<string, number>(topics.map((t) => [t, 0]));
  for (const [k, size] of largest) {
    const name = k.slice(0, k.indexOf('\u0000'));
    sizes.set(name, (sizes.get(name) ?? 0) + size);
  }
  return sizes;
}
