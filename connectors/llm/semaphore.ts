/** A counting semaphore: at most `permits` holders at a time, FIFO. */
export interface Semaphore {
  acquire(): Promise<() => void>;
  readonly inUse: number;
  readonly waiting: number;
}

/** A FIFO counting semaphore with `permits` slots (>= 1). */
export function semaphore(permits: number): Semaphore {
  let inUse = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else inUse--;
  };
  return {
    acquire() {
      if (inUse < permits) {
        inUse++;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => queue.push(() => resolve(once(release))));
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return queue.length;
    },
  };
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}
