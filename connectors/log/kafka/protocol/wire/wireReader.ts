/** A Buffer reader over Kafka's big-endian ints, length-prefixed strings and zig-zag varints. */
export class WireReader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}
  int8() {
    return this.buf.readInt8(this.at++);
  }
  int16() {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  /** A 64-bit int as a Number (exact below 2^53: offsets and epoch milliseconds). */
  int64() {
    const v = this.buf.readInt32BE(this.at) * 4294967296 + this.buf.readUInt32BE(this.at + 4);
    this.at += 8;
    return v;
  }
  /** A zig-zag varint (Kafka's varint and varlong alike, exact for values below 2^52: offsets, epoch ms). */
  varint() {
    const buf = this.buf;
    let at = this.at;
    let byte = buf[at++];
    let result = byte & 0x7f;
    // One byte for most fields of a record (attributes, deltas, short keys); the loop for the rest.
    if (byte & 0x80) {
      let scale = 128;
      do {
        byte = buf[at++];
        result += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80);
    }
    this.at = at;
    // zig-zag
    if (result < 0x80000000) return (result >>> 1) ^ -(result & 1);
    return result % 2 === 1 ? -(result + 1) / 2 : result / 2;
  }
  /** Moves past `length` bytes (none for a negative length: a null). */
  skip(length: number): void {
    if (length > 0) this.at += length;
  }
  /** `length` bytes as a view into the buffer (not a copy); null for a negative length. */
  bytes(length: number): Buffer | null {
    if (length < 0) return null;
    const b = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return b;
  }
  /** An int16-length UTF-8 string (null for -1). */
  string(): string | null {
    const b = this.bytes(this.int16());
    return b === null ? null : b.toString('utf8');
  }
  boolean() {
    return this.int8() !== 0;
  }
}
