import type { Admin } from 'kafkajs';
import { KafkaProtocolError } from './protocol/kafkaProtocolError.ts';

/**
 * The leader of each partition of a Kafka topic as `host:port`, from fresh metadata through kafkajs' public admin
 * API (fetchTopicMetadata, describeCluster). A partition without a leader (election under way) is a retriable error.
 */
export async function partitionLeaders(admin: Admin, topic: string): Promise<Map<number, string>> {
  const [{ topics }, { brokers }] = await Promise.all([
    admin.fetchTopicMetadata({ topics: [topic] }),
    admin.describeCluster(),
  ]);
  const addresses = new Map(brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
  const leaders = new Map<number, string>();
  for (const p of topics[0]?.partitions ?? []) {
    const address = addresses.get(p.leader);
    if (!address)
      throw new KafkaProtocolError(`kafka topic ${topic} partition ${p.partitionId}: no leader`, 5);
    leaders.set(p.partitionId, address);
  }
  if (leaders.size === 0)
    throw new KafkaProtocolError(`kafka topic ${topic}: no partitions in the metadata`, 3);
  return leaders;
}
