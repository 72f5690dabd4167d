/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason the moment it aborts: a backoff or rate-limit
 * wait must not outlive a stop (a 30 s backoff would otherwise hold the process 30 s after Ctrl-C).
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((done) => setTimeout(done, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((done, fail) => {
    const onAbort = () => {
      clearTimeout(timer);
      fail(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
