import type { IncomingHttpHeaders } from 'node:http';

/**
 * The answer `nodeHttpFetch` hands the openai package: the body already read into one buffer and the headers as
 * node:http parsed them (lower-case names). It carries what a `Response` is read for on the non-streaming path
 * (status, ok, url, headers.get/has/entries/forEach, text, json, arrayBuffer, bytes, body, clone). Building an
 * undici `Response` instead copies the headers into a `Headers` and wraps the buffer in a web stream: about 60 µs
 * of CPU a call at 256 calls in flight (bench/grow.ts profile), a tenth of the grower's whole cost per call.
 */
export class BufferedResponse {
  readonly ok: boolean;
  readonly headers: BufferedHeaders;
  readonly redirected = false;
  readonly type = 'basic';
  #used = false;

  constructor(
    private readonly bytesOf: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    readonly url: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = new BufferedHeaders(headers);
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** A web stream over the buffer, made only when asked for (the package asks only to cancel an error's body). */
  get body(): ReadableStream<Uint8Array> | null {
    const bytes = this.bytesOf;
    if (bytes === null) return null;
    return new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        controller.close();
      },
    });
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.take().toString('utf8'));
  }

  async bytes(): Promise<Uint8Array> {
    const b = this.take();
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  clone(): BufferedResponse {
    if (this.#used) throw new TypeError('BufferedResponse.clone: body already read');
    return new BufferedResponse(this.bytesOf, this.status, this.statusText, this.headers.raw, this.url);
  }

  /** Reads the body once, as fetch's Response allows. */
  private take(): Buffer {
    if (this.#used) throw new TypeError('BufferedResponse: body already read');
    this.#used = true;
    return this.bytesOf ?? Buffer.alloc(0);
  }
}

/** Read-only `Headers` over node:http's parsed headers; repeated headers join with ", " as `Headers.get` does. */
class BufferedHeaders {
  constructor(readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const v = this.get(name);
      if (v !== null) yield [name, v];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string, headers: BufferedHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
