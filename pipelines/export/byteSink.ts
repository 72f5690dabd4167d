/** Bytes appended to an output through one reusable buffer; `end` writes what is left. */
export interface ByteSink {
  /** Appends a short ASCII text (a format's punctuation and key names). */
  ascii(text: string): void;
  /** Appends bytes as they are (escaped JSON read back from a spill). */
  put(bytes: Uint8Array): void;
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
  const flush = () => {
    if (used) write(buf, used);
    used = 0;
  };
  return {
    ascii(text) {
      if (used + text.length > bufferBytes) flush();
      used += buf.write(text, used, 'latin1');
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
    flush,
  };
}
