import { WireWriter } from '../wire/wireWriter.ts';

/** Kafka's InitProducerId API key. */
export const INIT_PRODUCER_ID = 22;

/** An InitProducerId v1 request for an idempotent (not transactional) producer: null transactional id. */
export function initProducerIdRequest(args: { transactionTimeoutMs: number }): {
  apiKey: number;
  apiVersion: number;
  body: Buffer[];
} {
  return {
    apiKey: INIT_PRODUCER_ID,
    apiVersion: 1,
    body: [new WireWriter(8).string(null).int32(args.transactionTimeoutMs).bytes()],
  };
}
