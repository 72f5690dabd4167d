import { WireReader } from '../wire/wireReader.ts';

/** Decodes an OffsetCommit v2 response body (after the correlation id): each partition's error code. */
export function offsetCommitResponse(body: Buffer): { partition: number; errorCode: number }[] {
  const r = new WireReader(body);
  const out: { partition: number; errorCode: number }[] = [];
  for (let t = r.int32(); t > 0; t--) {
    r.string(); // topic
    for (let p = r.int32(); p > 0; p--) out.push({ partition: r.int32(), errorCode: r.int16() });
  }
  return out;
}
