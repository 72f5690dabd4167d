/** Distinct ascii texts a sink keeps encoded. */
const LITERALS = 256;

/** Bytes appended to an output through one reusable buffer; `end` writes what is left. */
export interface ByteSink {
  /** Appends a short ASCII text (a format's punctuation and key names: a few distinct literals, each kept encoded). */
  ascii(text: string): void;
  /** Appends bytes as they are (escaped JSON read back from a spill). */
  put(bytes: Uint8Array): void;
  /** Appends each part in order: a text as `ascii`, bytes as `put` (a format's line, literals between fields). */
  parts(...parts: readonly (string | Uint8Array)[]): void;
  /** Writes what is buffered (all of it, aligned or not); the sink can be appended to again after. */
  flush(): void;
}

/**
 * A ByteSink over `write` (called with the buffer and the bytes used in it): bytes are copied into one buffer of
 * `bufferBytes` (default 4 MiB) and written when it is full, so an output goes to the kernel in few large writes
 * rather than one small write (or one iovec) a piece; a piece larger than the buffer is written on its own.
 *
 * With `align` (a power of two dividing bufferBytes), for O_DIRECT files: the buffer starts on a page (WebAssembly
 * memory is page-aligned; a Buffer's address cannot be chosen), every write but flush's is a whole number of
 * `align` blocks of it (a full buffer writes its whole blocks and keeps the rest), and larger pieces are copied
 * through it.
 */
export function createByteSink({
  write,
  bufferBytes = 4 << 20,
  align = 0,
}: {
  write: (bytes: Uint8Array, length: number) => void;
  bufferBytes?: number;
  align?: number;
}): ByteSink {
  if (align && (align & (align - 1) || bufferBytes % align || bufferBytes < 2 * align)) {
    throw new Error(
      `createByteSink: align ${align} must be a power of two dividing ${bufferBytes}, at most half`,
    );
  }
  const buf = align ? pageAligned(bufferBytes) : Buffer.allocUnsafe(bufferBytes);
  let used = 0;
  // Each literal encoded once: copying its bytes costs about a third of encoding it again (buf.write, ~100 ns).
  const encoded = new Map<string, Buffer>();
  const flush = () => {
    if (used) write(buf, used);
    used = 0;
  };
  /** Makes room: writes the buffer's whole blocks (all of it without align), keeping the rest at its start. */
  const drain = () => {
    if (!align) return flush();
    const whole = used - (used & (align - 1));
    if (whole) write(buf, whole);
    buf.copyWithin(0, whole, used);
    used -= whole;
  };
  const sink: ByteSink = {
    ascii(text) {
      let bytes = encoded.get(text);
      if (bytes === undefined) {
        bytes = Buffer.from(text, 'latin1');
        // Literals are few; a text made per line (rm-pairs' turns) stops being kept once there are many.
        if (encoded.size < LITERALS) encoded.set(text, bytes);
      }
      if (used + bytes.length > bufferBytes) drain();
      buf.set(bytes, used);
      used += bytes.length;
    },
    put(bytes) {
      if (used + bytes.length > bufferBytes) {
        drain();
        if (bytes.length > bufferBytes - used) {
          if (!align) {
            write(bytes, bytes.length);
            return;
          }
          // Through the buffer, a buffer's room at a time.
          for (let at = 0; at < bytes.length; ) {
            const n = Math.min(bufferBytes - used, bytes.length - at);
            buf.set(bytes.subarray(at, at + n), used);
            used += n;
            at += n;
            if (used === bufferBytes) drain();
          }
          return;
        }
      }
      buf.set(bytes, used);
      used += bytes.length;
    },
    parts(...parts) {
      for (const p of parts) {
        if (typeof p === 'string') sink.ascii(p);
        else sink.put(p);
      }
    },
    flush,
  };
  return sink;
}

/** WebAssembly.Memory, which this project's TypeScript libraries (ES2022, no DOM) do not declare. */
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly;

/** A buffer of `bytes` starting on a page: WebAssembly memory (64 KiB pages, mapped page-aligned). */
function pageAligned(bytes: number): Buffer {
  const pages = Math.ceil(bytes / 65536);
  return Buffer.from(new Memory({ initial: pages, maximum: pages }).buffer, 0, bytes);
}
