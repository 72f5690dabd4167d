import { kafkaErrorCode } from './protocol/kafkaErrorCodes.ts';

/**
 * A Kafka protocol error code by name, with the protocol's retriable flag, for messages and error context
 * (`NOT_LEADER_OR_FOLLOWER (6)`, not a bare 6). A code the table lacks is `UNKNOWN_ERROR_<n>`, not retriable.
 */
export function kafkaErrorOf(code: number): { kafkaError: string; kafkaCode: number; retriable: boolean } {
  const { name, retriable } = kafkaErrorCode(code);
  return { kafkaError: name, kafkaCode: code, retriable };
}
