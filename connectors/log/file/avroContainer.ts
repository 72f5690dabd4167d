import { crc32, inflateRawSync } from 'node:zlib';
import avro from 'avsc';

// Avro object container file layout (Avro spec, "Object Container Files"):
//   header = "Obj" 0x01, metadata map<bytes>, 16-byte sync marker
//   block  = long count, long size (bytes), `size` bytes of records, the 16-byte sync marker
export const MAGIC = Buffer.from('Obj\x01', 'latin1');
export const SYNC_BYTES = 16;
const metadataType = avro.Type.forSchema({ type: 'map', values: 'bytes' });

export interface ContainerHeader {
  readonly schema: unknown;
  readonly codec: string;
  readonly metadata: Readonly<Record<string, Buffer>>;
  readonly sync: Buffer;
  /** Bytes the header occupies at the start of the file. */
  readonly length: number;
  /** 'ok' when the header's arboretum.headerCrc matches, 'absent' for headers written before it. */
  readonly crc: 'ok' | 'absent';
}

/** Metadata entry holding the CRC-32 of the rest of the header (see headerCrcOf). */
export const HEADER_CRC = 'arboretum.headerCrc';

export interface BlockHeader {
  readonly count: number;
  readonly size: number;
  /** Bytes taken by the two varints. */
  readonly length: number;
}

/** Header bytes of a container file: the writer schema and extra metadata (strings). */
export function encodeHeader(
  schema: unknown,
  sync: Buffer,
  extra: Readonly<Record<string, string>> = {},
): Buffer {
  const metadata: Record<string, Buffer> = {
    'avro.schema': Buffer.from(JSON.stringify(schema)),
    'avro.codec': Buffer.from('null'),
  };
  for (const [k, v] of Object.entries(extra)) metadata[k] = Buffer.from(v);
  metadata[HEADER_CRC] = Buffer.from(String(headerCrcOf(metadata, sync)));
  return Buffer.concat([MAGIC, metadataType.toBuffer(metadata), sync]);
}

/**
 * CRC-32 over every metadata entry but HEADER_CRC (sorted by key, each as key length, key, value length, value)
 * and the sync marker: a flipped bit anywhere in a header fails it, the schema and the sync marker included.
 */
function headerCrcOf(metadata: Readonly<Record<string, Buffer>>, sync: Buffer): number {
  const parts: Buffer[] = [];
  for (const key of Object.keys(metadata).sort()) {
    if (key === HEADER_CRC) continue;
    const k = Buffer.from(key);
    const v = metadata[key];
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(k.length, 0);
    lengths.writeUInt32BE(v.length, 4);
    parts.push(lengths.subarray(0, 4), k, lengths.subarray(4), v);
  }
  parts.push(sync);
  return crc32(Buffer.concat(parts));
}

/**
 * Parses and verifies a header from the start of `buf`. Undefined when `buf` ends inside what is so far a valid
 * header (a segment being created, or torn while created); throws when the bytes cannot be a whole valid header.
 * `buf` holds the whole file when the file is shorter than the buffer, so "runs out" means the file does.
 */
export function parseHeader(buf: Buffer): ContainerHeader | undefined {
  const magicSeen = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, magicSeen).equals(MAGIC.subarray(0, magicSeen)))
    throw new Error('not an Avro object container file (bad magic)');
  if (buf.length < MAGIC.length) return undefined;
  let decoded: { value: Record<string, Buffer>; offset: number };
  try {
    decoded = metadataType.decode(buf, MAGIC.length) as typeof decoded;
  } catch (e) {
    throw new Error(`header metadata does not decode (${(e as Error).message})`);
  }
  const { value, offset } = decoded;
  if (offset < 0 || offset + SYNC_BYTES > buf.length) return undefined;
  const sync = Buffer.from(buf.subarray(offset, offset + SYNC_BYTES));
  const stored = value[HEADER_CRC];
  if (stored !== undefined && stored.toString('latin1') !== String(headerCrcOf(value, sync)))
    throw new Error(`header checksum mismatch (${HEADER_CRC})`);
  const rawSchema = value['avro.schema'];
  if (!rawSchema) throw new Error('container header has no avro.schema');
  let schema: unknown;
  try {
    schema = JSON.parse(rawSchema.toString('utf8'));
  } catch (e) {
    throw new Error(`header schema is not JSON (${(e as Error).message})`);
  }
  return {
    schema,
    codec: value['avro.codec']?.toString('utf8') ?? 'null',
    metadata: value,
    sync,
    length: offset + SYNC_BYTES,
    crc: stored === undefined ? 'absent' : 'ok',
  };
}

/** Reads a zig-zag varint long at `pos`; undefined when the bytes run out. */
export function readLong(buf: Buffer, pos: number): { value: number; next: number } | undefined {
  let n = 0;
  let shift = 1;
  let i = pos;
  for (;;) {
    if (i >= buf.length) return undefined;
    const b = buf[i++];
    n += (b & 0x7f) * shift;
    if (!(b & 0x80)) break;
    shift *= 128;
    if (shift > 2 ** 63) throw new Error('varint too long');
  }
  return { value: n % 2 === 0 ? n / 2 : -(n + 1) / 2, next: i };
}

function writeLong(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  do {
    let b = z % 128;
    z = Math.floor(z / 128);
    if (z > 0) b |= 0x80;
    bytes.push(b);
  } while (z > 0);
  return Buffer.from(bytes);
}

/** Parses a block's count and size at `pos`; undefined when incomplete; throws when they are impossible. */
export function parseBlockHeader(buf: Buffer, pos: number): BlockHeader | undefined {
  const count = readLong(buf, pos);
  if (!count) return undefined;
  const size = readLong(buf, count.next);
  if (!size) return undefined;
  if (count.value < 0 || size.value < 0)
    throw new Error(`impossible block header (count ${count.value}, size ${size.value})`);
  return { count: count.value, size: size.value, length: size.next - pos };
}

/** A whole block: count, size, the encoded records, the sync marker. */
export function encodeBlock(count: number, records: Buffer, sync: Buffer): Buffer {
  return Buffer.concat([writeLong(count), writeLong(records.length), records, sync]);
}

/** The records' bytes of a block, decompressed per the file's codec. */
export function blockRecords(codec: string, data: Buffer): Buffer {
  if (codec === 'null') return data;
  if (codec === 'deflate') return inflateRawSync(data);
  throw new Error(`unsupported Avro codec ${JSON.stringify(codec)}`);
}
