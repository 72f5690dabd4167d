import { WireReader } from '../wire/wireReader.ts';

/** What one partition of a produce answered. */
export interface ProducedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly baseOffset: number;
}

/** Decodes a Produce v3 response body (after the correlation id). */
export function produceResponse(body: Buffer): ProducedPartition[] {
  const r = new WireReader(body);
  const out: ProducedPartition[] = [];
  for (let t = r.int32(); t > 0; t--) {
    r.string(); // topic
    for (let p = r.int32(); p > 0; p--) {
      const partition = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      r.int64(); // log append time
      out.push({ partition, errorCode, baseOffset });
    }
  }
  return out; // a throttle time follows
}
