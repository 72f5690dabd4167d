import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brokerState, isAlive } from './startBroker.ts';

/**
 * Stops the broker started for `dir`: SIGTERM (a clean shutdown, so a restart recovers nothing), then SIGKILL after
 * `graceMs` (default 30000). Resolves with its pid, or undefined when none was running.
 */
export async function stopBroker(dirPath: string, { graceMs = 30_000 } = {}): Promise<number | undefined> {
  const dir = resolve(dirPath);
  const state = await brokerState(dir);
  if (!state || !isAlive(state.pid)) {
    await rm(join(dir, 'broker.json'), { force: true });
    return undefined;
  }
  process.kill(state.pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (isAlive(state.pid)) {
    if (Date.now() > until) {
      process.kill(state.pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  while (isAlive(state.pid)) await new Promise((r) => setTimeout(r, 50));
  // broker.json stays, so that the next start in `dir` keeps the same address; isAlive tells it is stopped.
  return state.pid;
}
