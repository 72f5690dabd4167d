import type { Admin } from 'kafkajs';
import type { BrokerConnections } from './protocol/connection/brokerConnections.ts';
import { describeLogDirsRequest } from './protocol/describeLogDirs/describeLogDirsRequest.ts';
import { describeLogDirsResponse } from './protocol/describeLogDirs/describeLogDirsResponse.ts';

/**
 * Bytes on disk per topic (the largest replica of each partition, summed), asked of every broker with
 * DescribeLogDirs (kafkajs has no such request). `topics` are Kafka topic names.
 */
export async function logDirSizes(
  admin: Admin,
  connections: BrokerConnections,
  topics: readonly string[],
): Promise<Map<string, number>> {
  const sizesOf = new Set(topics);
  const largest = new Map<string, number>();
  const { brokers } = await admin.describeCluster();
  for (const { host, port } of brokers) {
    const c = await connections.to(`${host}:${port}`);
    const { apiKey, apiVersion, body } = describeLogDirsRequest();
    for (const dir of describeLogDirsResponse(await c.request(apiKey, apiVersion, body, 30_000))) {
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
