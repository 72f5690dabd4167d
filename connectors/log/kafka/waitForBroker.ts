import { messageOf } from '../../../schemas/errors.ts';

export interface WaitForBrokerOptions {
  /** How long to keep trying, in ms; 0 tries once. */
  readonly waitMs: number;
  /** Names the cluster in what is said, e.g. kafka://kafka:9092. */
  readonly uri: string;
  /** Told when the broker is not reachable yet (once at the first failure, then every 10 s) and when it is. */
  readonly onWait?: (line: string) => void;
}

/** Errors of a broker not reachable (yet): refused, unknown host while its container starts, timeouts, resets. */
const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|Connection error|Connection timeout|KafkaJSConnectionError|NumberOfRetriesExceeded/i;

const unreachable = (e: unknown): boolean => {
  for (let c: unknown = e, depth = 0; c && depth < 5; depth++) {
    const err = c as { name?: string; message?: string; cause?: unknown; originalError?: unknown };
    if (UNREACHABLE.test(`${err.name ?? ''} ${err.message ?? messageOf(c)}`)) return true;
    c = err.originalError ?? err.cause;
  }
  return false;
};

/**
 * Runs `connect` until it succeeds, retrying while the broker is not reachable with backoff from 250 ms to 5 s, for
 * at most `waitMs`; says so through onWait. So a worker started before its broker (docker compose, a restart) rides it
 * out as any Kafka client does, instead of exiting at the first ECONNREFUSED. Other errors are thrown at once.
 */
export async function waitForBroker<T>(
  connect: () => Promise<T>,
  { waitMs, uri, onWait }: WaitForBrokerOptions,
): Promise<T> {
  const start = Date.now();
  let backoffMs = 250;
  let toldAt = 0;
  for (;;) {
    try {
      const connected = await connect();
      if (toldAt) onWait?.(`${uri}: broker reachable after ${((Date.now() - start) / 1000).toFixed(1)} s`);
      return connected;
    } catch (e) {
      const waited = Date.now() - start;
      if (!unreachable(e) || waited + backoffMs > waitMs) throw e;
      if (!toldAt || Date.now() - toldAt >= 10_000) {
        onWait?.(
          `${uri}: broker not reachable (${messageOf(e)}); retrying for up to ${Math.round((waitMs - waited) / 1000)} s more ` +
            '(ARBORETUM_KAFKA_WAIT_S)',
        );
        toldAt = Date.now();
      }
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
}
