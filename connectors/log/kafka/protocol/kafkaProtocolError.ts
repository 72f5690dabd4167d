import { kafkaErrorCode } from './kafkaErrorCodes.ts';

/** Kafka error codes after which the same request may be sent again (leader moved, broker busy or restarting). */
const RETRIABLE = new Set([3, 5, 6, 7, 13, 14, 15, 16, 19, 20, 56, 74, 75]);

/**
 * A Kafka error code in an answer, or a failed connection (code -1), naming the request and where; `retriable` as
 * `retrying` (../retrying.ts) reads it.
 */
export class KafkaProtocolError extends Error {
  readonly retriable: boolean;
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(code >= 0 ? `${message}: Kafka error ${kafkaErrorCode(code).name} (${code})` : message);
    this.retriable = code < 0 || RETRIABLE.has(code);
  }
}
