/**
 * Coalesces the appends of many trees made in the same turn of the event loop into one append call (one write, one
 * fsync group), resolving each caller when the batch is durable. Order is kept: records go in the order appends
 * were asked, and a tree waits for its append before it asks the next, so its events keep their order.
 */
export function appendBatcher<R>(
  append: (records: readonly R[]) => Promise<unknown>,
): (records: readonly R[]) => Promise<void> {
  let pending: { records: readonly R[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const flush = async () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    try {
      await append(batch.flatMap((b) => b.records));
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  };
  return (records) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ records, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
