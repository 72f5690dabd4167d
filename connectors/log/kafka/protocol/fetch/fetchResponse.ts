import { WireReader } from '../wire/wireReader.ts';

/** What one partition of a fetch answered: its error code, high watermark and raw record set (a view). */
export interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly records: Buffer | null;
}

/** Decodes a Fetch v4 response body (after the correlation id); record sets stay views into `body`. */
export function fetchResponse(body: Buffer): FetchedPartition[] {
  const r = new WireReader(body);
  r.int32(); // throttle time
  const out: FetchedPartition[] = [];
  for (let t = r.int32(); t > 0; t--) {
    r.string(); // topic name
    for (let p = r.int32(); p > 0; p--) {
      const partition = r.int32();
      const errorCode = r.int16();
      const highWatermark = r.int64();
      r.int64(); // last stable offset
      for (let a = r.int32(); a > 0; a--) r.at += 16; // aborted transactions: producer id, first offset
      const records = r.bytes(r.int32());
      out.push({ partition, errorCode, highWatermark, records });
    }
  }
  return out;
}
