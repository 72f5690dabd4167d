import type { Observable, Subscription } from 'rxjs';

/**
 * An Observable as an async iterable: values are buffered while the consumer is busy (the sources here are
 * instruction lists, small next to the trees they grow), an error is thrown from next(). return() unsubscribes at
 * once, even while a next() is waiting (a generator could not: its return waits for the pending await).
 */
export function asyncIterableOf<T>(source: Observable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const buffer: T[] = [];
      let done = false;
      let failure: { error: unknown } | null = null;
      let waiting: ((r: IteratorResult<T>) => void) | null = null;
      let fail: ((e: unknown) => void) | null = null;
      const settle = () => {
        if (!waiting) return;
        const resolve = waiting;
        const reject = fail!;
        if (buffer.length) {
          waiting = fail = null;
          resolve({ done: false, value: buffer.shift()! });
        } else if (failure) {
          waiting = fail = null;
          reject(failure.error);
        } else if (done) {
          waiting = fail = null;
          resolve({ done: true, value: undefined });
        }
      };
      const subscription: Subscription = source.subscribe({
        next: (v) => {
          buffer.push(v);
          settle();
        },
        error: (error) => {
          failure = { error };
          settle();
        },
        complete: () => {
          done = true;
          settle();
        },
      });
      return {
        next: () =>
          new Promise<IteratorResult<T>>((resolve, reject) => {
            waiting = resolve;
            fail = reject;
            settle();
          }),
        return: async () => {
          subscription.unsubscribe();
          done = true;
          buffer.length = 0;
          settle();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
