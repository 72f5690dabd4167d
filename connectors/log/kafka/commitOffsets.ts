import type { BrokerConnections } from './protocol/connection/brokerConnections.ts';
import { findCoordinatorRequest } from './protocol/findCoordinator/findCoordinatorRequest.ts';
import { findCoordinatorResponse } from './protocol/findCoordinator/findCoordinatorResponse.ts';
import { KafkaProtocolError } from './protocol/kafkaProtocolError.ts';
import { offsetCommitRequest } from './protocol/offsetCommit/offsetCommitRequest.ts';
import { offsetCommitResponse } from './protocol/offsetCommit/offsetCommitResponse.ts';

/**
 * Commits a reader's positions for a group without live members (kafkajs can only commit as a group member; its
 * admin setOffsets joins the group first): FindCoordinator from `bootstrap`, then OffsetCommit outside any
 * generation. A Kafka error is thrown as a KafkaProtocolError (retriable ones marked so).
 */
export async function commitOffsets(args: {
  connections: BrokerConnections;
  bootstrap: string;
  groupId: string;
  topic: string;
  partitions: readonly { partition: number; offset: number }[];
  timeoutMs?: number;
}): Promise<void> {
  const { connections, groupId, topic, timeoutMs = 30_000 } = args;
  const find = findCoordinatorRequest({ groupId });
  const found = findCoordinatorResponse(
    await (await connections.to(args.bootstrap)).request(find.apiKey, find.apiVersion, find.body, timeoutMs),
  );
  if (found.errorCode !== 0) {
    throw new KafkaProtocolError(
      `coordinator of group ${groupId}: ${found.errorMessage ?? ''}`,
      found.errorCode,
    );
  }
  const commit = offsetCommitRequest({
    groupId,
    generationId: -1,
    memberId: '',
    topic,
    partitions: args.partitions,
  });
  const answer = offsetCommitResponse(
    await (await connections.to(found.address)).request(
      commit.apiKey,
      commit.apiVersion,
      commit.body,
      timeoutMs,
    ),
  );
  for (const { partition, errorCode } of answer) {
    if (errorCode !== 0)
      throw new KafkaProtocolError(
        `commit of group ${groupId} on ${topic} partition ${partition}`,
        errorCode,
      );
  }
}
