import { inflateRawSync } from 'node:zlib';
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
}

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
  return Buffer.concat([MAGIC, metadataType.toBuffer(metadata), sync]);
}

/** Parses a header from the start of `buf`; undefined when `buf` is too short; throws when it is not a container. */
export function parseHeader(buf: Buffer): ContainerHeader | undefined {
  if (buf.length < MAGIC.length) return undefined;
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC))
    throw new Error('not an Avro object container file (bad magic)');
  const { value, offset } = metadataType.decode(buf, MAGIC.length) as {
    value: Record<string, Buffer>;
    offset: number;
  };
  if (offset < 0 || offset + SYNC_BYTES > buf.length) return undefined;
  const rawSchema = value['avro.schema'];
  if (!rawSchema) throw new Error('container header has no avro.schema');
  return {
    schema: JSON.parse(rawSchema.toString('utf8')),
    codec: value['avro.codec']?.toString('utf8') ?? 'null',
    metadata: value,
    sync: Buffer.from(buf.subarray(offset, offset + SYNC_BYTES)),
    length: offset + SYNC_BYTES,
  };
}

/** Reads a zig-zag varint long at `pos`; undefined when the bytes run out. */
function readLong(buf: Buffer, pos: number): { value: number; next: number } | undefined {
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
