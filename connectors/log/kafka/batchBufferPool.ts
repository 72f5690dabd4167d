/** Buffers of one size, taken for record batches and given back once their batch was written. */
export interface BatchBufferPool {
  /** A Buffer of the pool's size: one given back, else a new one. */
  take(): Buffer;
  /** Gives a Buffer back (kept when it has the pool's size and the pool is not full). */
  give(buffer: Buffer): void;
}

/**
 * Record batches are megabytes each (up to a produce request, 4 MiB): a new Buffer per batch, 24 MB for an append of
 * 10,000 tree events, made V8 count that much external memory and run full collections over the whole heap — the
 * producer's largest cost after Avro encoding (README.md). Giving each batch's Buffer back once the broker answered
 * lets the next append write into it; `keep` bounds what stays allocated (keep × bytes).
 */
export function createBatchBufferPool({ bytes, keep }: { bytes: number; keep: number }): BatchBufferPool {
  const free: Buffer[] = [];
  return {
    take: () => free.pop() ?? Buffer.allocUnsafe(bytes),
    give(buffer) {
      if (buffer.length === bytes && free.length < keep && !free.includes(buffer)) free.push(buffer);
    },
  };
}
