import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/arboretum.js');
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  run(process.execPath, [bin, 'kafka', ...args], { encoding: 'utf8', env }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );

describe('arboretum kafka', () => {
  it('says what to install when Java is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arboretum-kafka-cli-'));
    try {
      // A PATH holding only node: no java, no mvn.
      await mkdir(join(dir, 'bin'));
      await symlink(process.execPath, join(dir, 'bin', 'node'));
      const r = await cli(['start', '--dir', join(dir, 'broker')], {
        ...process.env,
        PATH: join(dir, 'bin'),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /needs Java 17 or newer \(Debian\/Ubuntu: apt-get install openjdk-17-jre-headless\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('requires --dir, rejects a bad port, and stops nothing when nothing runs', async () => {
    expect((await cli(['start'])).stderr).toMatch(/--dir DIR is required/);
    expect((await cli(['start', '--dir', '/tmp/x', '--port', '70000'])).stderr).toMatch(
      /--port 70000: expected 1\.\.65535/,
    );
    const dir = await mkdtemp(join(tmpdir(), 'arboretum-kafka-cli-'));
    try {
      const r = await cli(['stop', '--dir', dir]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/no broker was running/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
