/**
 * Bytes of `n` as a zig-zag varint: Avro's `long` (the file log's blocks) and Kafka's varint/varlong (record
 * batches) share the encoding, 7 bits a byte. Exact for integers up to 2^53 (arithmetic, not 32-bit shifts).
 */
export function zigzagVarintSize(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let bytes = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    bytes++;
  }
  return bytes;
}
