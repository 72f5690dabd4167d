import { retry } from '../../shared/retry.ts';
import { type Clock, systemClock } from '../../shared/systemClock.ts';

/**
 * Runs `attempt` again while it fails with a retriable error (kafkajs marks coordinator loading, leader moving, broker
 * restarting so), with backoff from 50 ms doubling to 1 s, for at most `deadlineMs` (default 30000); then throws the last.
 */
export function retrying<T>(
  attempt: () => Promise<T>,
  deadlineMs = 30_000,
  clock: Clock = systemClock,
): Promise<T> {
  return retry(attempt, { deadlineMs, backoff: { baseMs: 50, maxMs: 1000, jitter: 0 }, clock });
}
