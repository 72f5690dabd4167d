import type { Observable } from 'rxjs';

/**
 * An Observable as an async iterable: values are buffered while the consumer is busy (the sources here are
 * instruction lists, small next to the trees they grow), errors are thrown from the loop, unsubscribed on break.
 */
export async function* asyncIterableOf<T>(source: Observable<T>): AsyncGenerator<T> {
  const buffer: T[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const subscription = source.subscribe({
    next: (v) => {
      buffer.push(v);
      wake?.();
    },
    error: (error) => {
      failure = { error };
      wake?.();
    },
    complete: () => {
      done = true;
      wake?.();
    },
  });
  try {
    for (;;) {
      if (buffer.length) {
        yield buffer.shift()!;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done) return;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
  } finally {
    subscription.unsubscribe();
  }
}
