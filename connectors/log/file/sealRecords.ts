import { crc32 as zlibCrc32 } from 'node:zlib';

// @node-rs/crc32 (SIMD) computes the same CRC-32 as zlib about 3x faster on whole blocks (bench/fileLog.ts);
// zlib's stays as the fallback where its prebuilt binary is not installed.
const crc32: (data: Buffer, initial?: number) => number = await import('@node-rs/crc32').then(
  (m) => m.crc32,
  () => zlibCrc32,
);

/** Bytes of a zig-zag varint of a non-negative integer (Avro long); 0 for values a checksum cannot be. */
export function longBytes(n: number): number {
  if (!(n >= 0) || !Number.isSafeInteger(n)) return 0;
  let z = n * 2;
  let k = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    k++;
  }
  return k;
}

function putLong(buf: Buffer, pos: number, n: number): number {
  let z = n * 2;
  let p = pos;
  do {
    let b = z % 128;
    z = Math.floor(z / 128);
    if (z > 0) b |= 0x80;
    buf[p++] = b;
  } while (z > 0);
  return p;
}

/**
 * Seals one record encoded at [start, end) whose last two fields, `crc` and `blockCrc`, were encoded as zeros (one
 * byte each): writes the CRC-32 of the bytes before `crc` into it. Returns the record's new end (at most end + 4;
 * the caller leaves room).
 */
export function sealRecord(buf: Buffer, start: number, end: number): number {
  const crcAt = end - 2;
  const after = putLong(buf, crcAt, crc32(buf.subarray(start, crcAt)));
  buf[after] = 0; // blockCrc: 0 but in a block's first record
  return after + 1;
}

/**
 * Seals a block's record bytes: the first record's `blockCrc` (its last byte, at firstEnd - 1) becomes the CRC-32 of
 * every other byte of the block. Returns the block's record bytes.
 */
export function sealBlock(data: Buffer, firstEnd: number): Buffer {
  const at = firstEnd - 1;
  const v = crc32(data.subarray(at + 1), crc32(data.subarray(0, at)));
  const field = Buffer.allocUnsafe(longBytes(v));
  putLong(field, 0, v);
  return Buffer.concat([data.subarray(0, at), field, data.subarray(at + 1)]);
}

/** True when a block's records verify as a whole (the fast path): `blockCrc` is the first record's value. */
export function blockVerifies(data: Buffer, firstEnd: number, blockCrc: number): boolean {
  const n = longBytes(blockCrc);
  if (!n) return false;
  const at = firstEnd - n;
  return crc32(data.subarray(firstEnd), crc32(data.subarray(0, at))) === blockCrc;
}

/** True when one record at [start, end) verifies by its own `crc` (the slow path, after a block failed). */
export function recordVerifies(
  data: Buffer,
  start: number,
  end: number,
  crc: number,
  blockCrc: number,
): boolean {
  const b = longBytes(blockCrc);
  const c = longBytes(crc);
  if (!b || !c || end - b - c < start) return false;
  return crc32(data.subarray(start, end - b - c)) === crc;
}
