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
  varint() {
    let shift = 0;
    let result = 0;
    let byte: number;
    do {
      byte = this.buf[this.at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    // zig-zag
    return result % 2 === 1 ? -(result + 1) / 2 : result / 2;
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
