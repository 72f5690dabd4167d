import { WireReader } from '../wire/wireReader.ts';

/** Decodes an InitProducerId v1 response body (after the correlation id). */
export function initProducerIdResponse(body: Buffer): {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
} {
  const r = new WireReader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  return { errorCode, producerId, producerEpoch };
}
