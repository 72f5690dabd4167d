import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli as arboretum } from '../support/cli.ts';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => arboretum(['kafka', ...args], { env });

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
