/**
 * Kafka's big-endian ints and length-prefixed strings into one growing Buffer, for the small parts of requests
 * (headers, partition lists); record batches are sent as their own Buffers, never copied into a writer.
 */
export class WireWriter {
  private buf: Buffer;
  private at = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  int8(v: number): this {
    this.room(1);
    this.buf.writeInt8(v, this.at);
    this.at += 1;
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.buf.writeInt16BE(v, this.at);
    this.at += 2;
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.buf.writeInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  /** A 64-bit int from a Number (exact below 2^53: offsets, producer ids). */
  int64(v: number): this {
    this.room(8);
    this.buf.writeInt32BE(Math.floor(v / 4294967296), this.at);
    this.buf.writeUInt32BE(v >>> 0, this.at + 4);
    this.at += 8;
    return this;
  }

  /** An int16-length UTF-8 string; null as length -1. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const n = Buffer.byteLength(v);
    this.int16(n);
    this.room(n);
    this.buf.write(v, this.at);
    this.at += n;
    return this;
  }

  /** What was written (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
