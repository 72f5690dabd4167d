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
  /** Writes what is buffered; the sink can be appended to again after. */
  flush(): void;
}

/**
 * A ByteSink over `write` (called with the buffer and the bytes used in it): bytes are copied into one buffer of
 * `bufferBytes` (default 4 MiB) and written when it is full, so an output goes to the kernel in few large writes
 * rather than one small write (or one iovec) a piece; a piece larger than the buffer is written on its own.
 */
export function createByteSink({
  write,
  bufferBytes = 4 << 20,
}: {
  write: (bytes: Uint8Array, length: number) => void;
  bufferBytes?: number;
}): ByteSink {
  const buf = Buffer.allocUnsafe(bufferBytes);
  let used = 0;
  // Each literal encoded once: copying its bytes costs about a third of encoding it again (buf.write, ~100 ns).
  const encoded = new Map<string, Buffer>();
  const flush = () => {
    if (used) write(buf, used);
    used = 0;
  };
  const sink: ByteSink = {
    ascii(text) {
      let bytes = encoded.get(text);
      if (bytes === undefined) {
        bytes = Buffer.from(text, 'latin1');
        // Literals are few; a text made per line (rm-pairs' turns) stops being kept once there are many.
        if (encoded.size < LITERALS) encoded.set(text, bytes);
      }
      if (used + bytes.length > bufferBytes) flush();
      buf.set(bytes, used);
      used += bytes.length;
    },
    put(bytes) {
      if (used + bytes.length > bufferBytes) {
        flush();
        if (bytes.length > bufferBytes) {
          write(bytes, bytes.length);
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
