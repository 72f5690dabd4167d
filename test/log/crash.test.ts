import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileEventLog } from '../../connectors/log/file/fileEventLog.ts';
import { topics } from '../../connectors/log/topics.ts';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/arboretum.js');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Starts the appender (node itself, not the tsx wrapper, so the kill reaches the writer), waits for its first batch, lets it run `ms` more, then SIGKILLs it. */
async function killMidAppend(dir: string, ms: number): Promise<void> {
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
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}

const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('crash safety', () => {
  it('after SIGKILL mid-append the log opens, passes log check, and holds a prefix of what was appended', async () => {
    let torn = 0;
    for (const ms of [137, 290, 455]) {
      const dir = await mkdtemp(join(tmpdir(), 'arboretum-crash-'));
      dirs.push(dir);
      await killMidAppend(dir, ms);
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
    // Each kill lands somewhere in a ~6 MB write loop; report how many runs actually tore a block.
    console.log(`crash test: ${torn} of 3 kills left a torn tail`);
  }, 120_000);
});
