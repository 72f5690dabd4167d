import { createRequire } from 'node:module';

interface ProtocolError {
  readonly type: string;
  readonly code: number;
  readonly retriable: boolean;
}

// kafkajs keeps the Kafka protocol's error table (https://kafka.apache.org/protocol#protocol_error_codes) with a
// retriable flag per code, but does not export it from its entry point: read the module that holds it.
const { errorCodes } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as {
  errorCodes: readonly ProtocolError[];
};
const byCode = new Map(errorCodes.map((e) => [e.code, e]));

/**
 * A Kafka protocol error code by name, with the protocol's retriable flag, for messages and error context
 * (`NOT_LEADER_FOR_PARTITION (6)`, not a bare 6). A code the table lacks is `UNKNOWN_ERROR_<n>`, not retriable.
 */
export function kafkaErrorOf(code: number): { kafkaError: string; kafkaCode: number; retriable: boolean } {
  const known = byCode.get(code);
  return {
    kafkaError: known?.type ?? `UNKNOWN_ERROR_${code}`,
    kafkaCode: code,
    retriable: known?.retriable ?? false,
  };
}
