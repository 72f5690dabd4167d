/** At most `concurrency` holders at a time; the rest wait in arrival order (FIFO). */
export interface Limiter {
  /** Waits for a slot and returns its release (idempotent); rejects with the signal's reason, leaving the queue, if it aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Runs `task` in a slot and frees it when the task settles. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Slots held. */
  readonly active: number;
  /** Callers waiting for a slot. */
  readonly waiting: number;
}

export interface LimiterOptions {
  /** Slots, a whole number >= 1. */
  readonly concurrency: number;
}

/**
 * The one concurrency limiter of arboretum (a FIFO counting semaphore): LLM endpoint slots, sandbox runs, one Python
 * worker's cells.
 */
export function createLimiter({ concurrency }: LimiterOptions): Limiter {
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`createLimiter: concurrency must be a whole number >= 1, got ${concurrency}`);
  let active = 0;
  const queue: (() => void)[] = [];
  // A freed slot passes straight to the next waiter, so `active` does not dip and a newcomer cannot jump the queue.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  const acquire = (signal?: AbortSignal): Promise<() => void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (active < concurrency) {
      active++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(once(release));
      };
      const onAbort = () => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  };
  return {
    acquire,
    async run(task, signal) {
      const done = await acquire(signal);
      try {
        return await task();
      } finally {
        done();
      }
    },
    get active() {
      return active;
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
