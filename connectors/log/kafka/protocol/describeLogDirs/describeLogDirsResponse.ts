import { WireReader } from '../wire/wireReader.ts';

/** One log dir of a broker: its error code and the bytes of each topic partition in it. */
export interface LogDir {
  readonly errorCode: number;
  readonly logDir: string;
  readonly topics: readonly { name: string; partitions: readonly { partition: number; size: number }[] }[];
}

/** Decodes a DescribeLogDirs v1 response body (after the correlation id). */
export function describeLogDirsResponse(body: Buffer): LogDir[] {
  const r = new WireReader(body);
  r.int32(); // throttle time
  const dirs: LogDir[] = [];
  for (let d = r.int32(); d > 0; d--) {
    const errorCode = r.int16();
    const logDir = r.string() ?? '';
    const topics: { name: string; partitions: { partition: number; size: number }[] }[] = [];
    for (let t = r.int32(); t > 0; t--) {
      const name = r.string() ?? '';
      const partitions: { partition: number; size: number }[] = [];
      for (let p = r.int32(); p > 0; p--) {
        const partition = r.int32();
        const size = r.int64();
        r.int64(); // offset lag
        r.boolean(); // is future
        partitions.push({ partition, size });
      }
      topics.push({ name, partitions });
    }
    dirs.push({ errorCode, logDir, topics });
  }
  return dirs;
}
