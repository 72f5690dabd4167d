import { createRequire } from 'node:module';

/**
 * The part of kafkajs' internal Cluster that the reader and the standalone commit use. kafkajs 2.2.4 (its last
 * release) has no public API for fetching from given offsets without joining a group, nor for committing a reader's
 * offsets without joining one; its Cluster finds leaders and coordinators, and its Broker connections carry our
 * requests (fetchRequest.ts, logDirSizes.ts) and its own offset commit.
 */
export interface KafkaCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<KafkaBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<KafkaBroker>;
}

export interface KafkaBroker {
  offsetCommit(args: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime?: number;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

const require = createRequire(import.meta.url);
const Cluster = require('kafkajs/src/cluster/index.js');
const { createLogger, LEVELS } = require('kafkajs/src/loggers/index.js');
const LoggerConsole = require('kafkajs/src/loggers/console.js');
const socketFactory = require('kafkajs/src/network/socketFactory.js');

/** A kafkajs Cluster on `brokers` (no topic auto-creation, errors only logged). */
export function createKafkaCluster({
  brokers,
  clientId,
  connectionTimeoutMs = 3000,
  requestTimeoutMs = 30_000,
}: {
  brokers: readonly string[];
  clientId: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}): KafkaCluster {
  return new Cluster({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }),
    socketFactory: socketFactory(),
    brokers: [...brokers],
    clientId,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    enforceRequestTimeout: true,
    metadataMaxAge: 300_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: 1,
  });
}
