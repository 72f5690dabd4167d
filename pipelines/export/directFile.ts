import { closeSync, constants, openSync, writeSync } from 'node:fs';

/** Bytes a direct write's length and buffer are aligned to: a page, a multiple of any disk's logical block. */
export const DIRECT_ALIGN = 4096;

/** A file written once from its start, page-cache-free where the file system allows it. */
export interface DirectFile {
  /** Appends `length` bytes of `bytes`. */
  write(bytes: Uint8Array, length: number): void;
  /** Closes the file (its bytes are all written: every write is synchronous). */
  close(): void;
}

/**
 * A new file (truncated) written through O_DIRECT where it can be: a page-aligned write of whole pages goes from
 * our buffer to the disk, without being copied into the page cache. Writing an export's 586 MiB (nine formats of
 * the 10K-tree bench log) through the page cache cost 84–1,360 ms of system time in a bare write loop on this
 * machine (a VM: fresh page-cache pages are slow to touch), through O_DIRECT 26–30 ms (and 0.3 s of wall time at
 * the disk's speed). Anything else — a tail shorter than a page, a buffer not on a page, a file system without
 * O_DIRECT (EINVAL) — is written through the page cache at its place in the file, so the bytes are the same
 * either way. The file is not left in the page cache: a reader right after reads it from the disk.
 */
export function createDirectFile(path: string): DirectFile {
  let direct = -1;
  if (constants.O_DIRECT) {
    try {
      direct = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DIRECT,
        0o666,
      );
    } catch {
      direct = -1; // no O_DIRECT here (EINVAL): the page cache it is
    }
  }
  let plain = direct === -1 ? openSync(path, 'w') : -1;
  let position = 0;
  return {
    write(bytes, length) {
      let done = 0;
      if (direct !== -1 && length % DIRECT_ALIGN === 0 && bytes.byteOffset % DIRECT_ALIGN === 0) {
        try {
          while (done < length) {
            const n = writeSync(direct, bytes, done, length - done, position);
            done += n;
            position += n;
          }
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code !== 'EINVAL' && code !== 'EOPNOTSUPP') throw e;
          // The buffer is not on a page after all, or the file system refuses: the rest through the page cache.
        }
      }
      if (plain === -1) plain = openSync(path, 'r+');
      while (done < length) {
        const n = writeSync(plain, bytes, done, length - done, position);
        done += n;
        position += n;
      }
    },
    close() {
      if (direct !== -1) closeSync(direct);
      if (plain !== -1) closeSync(plain);
      direct = -1;
      plain = -1;
    },
  };
}
