/** Kafka's DescribeLogDirs API key. */
export const DESCRIBE_LOG_DIRS = 35;

/** A DescribeLogDirs v1 request for every topic (a null topic list, -1). kafkajs 2.2.4 has no such request. */
export function describeLogDirsRequest(): { apiKey: number; apiVersion: number; body: Buffer[] } {
  const all = Buffer.alloc(4);
  all.writeInt32BE(-1);
  return { apiKey: DESCRIBE_LOG_DIRS, apiVersion: 1, body: [all] };
}
