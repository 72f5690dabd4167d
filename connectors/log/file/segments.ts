import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^(\d{20})\.avro$/;

export interface SegmentFile {
  readonly path: string;
  /** Offset of the segment's first record. */
  readonly base: number;
}

/** The segment file name for a base offset: 20 digits, so names sort like offsets. */
export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.avro`;
}

/** The topic folder's segments, by base offset; empty when the folder does not exist. */
export async function listSegments(topicDir: string): Promise<SegmentFile[]> {
  let names: string[];
  try {
    names = await readdir(topicDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((name) => SEGMENT.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: join(topicDir, m[0]), base: Number(m[1]) }))
    .sort((a, b) => a.base - b.base);
}
