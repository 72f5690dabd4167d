import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';
import { waitFor } from '../support/waitFor.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/arboretum.js');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * Starts the appender (node itself, not the tsx wrapper, so the kill reaches the writer), waits for its first batch,
 * then SIGKILLs it once the topic has grown `bytes` more: a kill point in the data, not in time, so a loaded machine
 * moves it nowhere.
 */
async function killMidAppend(dir: string, bytes: number): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/log/fixtures/appendUntilKilled.ts'), dir, '2000'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`appender exited early with ${code}`)));
  });
  const atReady = topicBytes(dir);
  await waitFor(() => topicBytes(dir) >= atReady + bytes, {
    what: `the appender to write ${bytes} bytes more`,
    everyMs: 1,
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}

/** Bytes of the instructions topic's segments at `dir` (0 before the first). */
const topicBytes = (dir: string) => {
  try {
    const folder = join(dir, 'instructions');
    return readdirSync(folder)
      .filter((f) => f.endsWith('.avro'))
      .reduce((n, f) => n + statSync(join(folder, f)).size, 0);
  } catch {
    return 0;
  }
};
const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('crash safety', () => {
  it('after SIGKILL mid-append the log opens, passes log check, and holds a prefix of what was appended', async () => {
    let torn = 0;
    // A batch is ~6 MB (2000 records of 3 KB): each kill lands inside the second batch.
    for (const bytes of [1_370_000, 2_900_000, 4_550_000]) {
      const dir = await mkdtemp(join(tmpdir(), 'arboretum-crash-'));
      dirs.push(dir);
      await killMidAppend(dir, bytes);
      const segment = join(
        dir,
        'instructions',
        readdirSync(join(dir, 'instructions')).find((f) => f.endsWith('.avro'))!,
      );
      const sizeAtKill = statSync(segment).size;

      const before = cli('log', 'check', '--log', `file:${dir}`);
      if (before.status !== 0) {
        expect(before.stdout).toMatch(/torn tail/);
        torn++;
      }
      // Opening for writing cuts a torn tail; then the log checks clean.
      const log = createFileEventLog({ dir, onRecovered: () => {} });
      const records = await lastValueFrom(log.read(topics.instructions).pipe(toArray()));
      await log.append(topics.instructions, []);
      await log.close();
      const after = cli('log', 'check', '--log', `file:${dir}`);
      expect(after.stdout).toMatch(/ok$/m);
      expect(after.status).toBe(0);

      expect(records.length).toBeGreaterThanOrEqual(2000);
      expect(records.map((r) => r.value.id)).toEqual(records.map((_, i) => `sample-${i}`));
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
      expect(statSync(segment).size).toBeLessThanOrEqual(sizeAtKill);
    }
    // Report how many kills actually tore a block.
    console.log(`crash test: ${torn} of 3 kills left a torn tail`);
  }, 120_000);
});
