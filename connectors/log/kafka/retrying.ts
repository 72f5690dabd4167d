/**
 * Runs `attempt` again while it fails with an error kafkajs marks retriable (coordinator loading, leader moving,
 * broker restarting), with backoff from 50 ms to 1 s, for at most `deadlineMs` (default 30000); then throws the last.
 */
export async function retrying<T>(attempt: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let backoffMs = 50;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e as { retriable?: boolean })?.retriable || Date.now() + backoffMs > until) throw e;
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 1000);
    }
  }
}
