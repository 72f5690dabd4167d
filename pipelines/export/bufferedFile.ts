import { openSync, writeSync } from 'node:fs';

/** Text appended to a file through one reusable byte buffer. */
export interface BufferedFile {
  /** Appends `text` (encoded as UTF-8 at once, so the string can be collected young). */
  put(text: string): void;
  /** Appends bytes as they are. */
  putBytes(bytes: Uint8Array): void;
  /** Writes what is buffered. */
  flush(): void;
  /** The descriptor, or null while nothing was written (the file is opened on the first write). */
  readonly fd: number | null;
}

/**
 * A file appended to through a buffer of `bufferBytes`: each text is encoded into the buffer when put, rather than
 * queued as a string until a flush (queued line strings outlived the young generation and were most of an export's
 * GC time). Texts larger than the buffer are written on their own. The file is opened (`flags`, default append) on
 * the first write.
 */
export function createBufferedFile({
  path,
  bufferBytes,
  flags = 'a',
}: {
  path: string;
  bufferBytes: number;
  flags?: string;
}): BufferedFile {
  let fd: number | null = null;
  let buf: Buffer | null = null;
  let used = 0;
  const write = (data: Uint8Array, bytes: number) => {
    fd ??= openSync(path, flags);
    writeSync(fd, data, 0, bytes);
  };
  const flush = () => {
    if (used) write(buf!, used);
    used = 0;
  };
  return {
    put(text) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      const most = text.length * 3;
      if (most > bufferBytes) {
        flush();
        const data = Buffer.from(text, 'utf8');
        write(data, data.length);
        return;
      }
      if (used + most > bufferBytes) flush();
      buf ??= Buffer.allocUnsafe(bufferBytes);
      used += buf.write(text, used, 'utf8');
    },
    putBytes(bytes) {
      if (bytes.length > bufferBytes) {
        flush();
        write(bytes, bytes.length);
        return;
      }
      if (used + bytes.length > bufferBytes) flush();
      buf ??= Buffer.allocUnsafe(bufferBytes);
      buf.set(bytes, used);
      used += bytes.length;
    },
    flush,
    get fd() {
      return fd;
    },
  };
}
