// The adversarial corpus: each program tries to get out; each must be contained, reported, and leave
// nothing running. These run the real bubblewrap sandbox (installed by scripts/setup.d/20-sandbox.sh).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox } from '../../connectors/sandbox/sandboxTypes.ts';
import { waitFor } from '../support/waitFor.ts';

const SECRET = `sk-test-${randomBytes(12).toString('hex')}`;
let sandbox: Sandbox;
let server: Server;
let port = 0;
let connections = 0;
let hostDir: string;
let hostFile: string;

/** Host processes whose command line contains `marker` (read from /proc). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Waits until no host process carries `marker`; the failure names the pids left. */
async function expectNoneLeft(marker: string): Promise<void> {
  await waitFor(
    () => {
      expect(processesWith(marker), `host processes carrying ${marker}`).toEqual([]);
      return true;
    },
    { what: `no host process carrying ${marker}`, everyMs: 50 },
  );
}

beforeAll(async () => {
  process.env.ARBORETUM_TEST_SECRET = SECRET;
  hostDir = mkdtempSync(join(tmpdir(), 'arboretum-host-'));
  hostFile = join(hostDir, 'secret.txt');
  writeFileSync(hostFile, SECRET);
  server = createServer((socket) => {
    connections++;
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  sandbox = createSandbox({ concurrency: 2, timeoutMs: 5000 });
});

afterAll(async () => {
  await sandbox?.close();
  server?.close();
  delete process.env.ARBORETUM_TEST_SECRET;
  rmSync(hostDir, { recursive: true, force: true });
});

describe('sandbox: adversarial corpus', () => {
  it('runs under bubblewrap as an unprivileged user with no capabilities', async () => {
    expect(sandbox.mode).toBe('bwrap');
    const r = await sandbox.run({
      code: `import os\nprint(os.getuid())\nprint([l for l in open('/proc/self/status') if l.startswith('CapEff')][0].split()[1])`,
    });
    const [uid, capEff] = r.stdout.trim().split('\n');
    expect(uid).not.toBe('0');
    expect(BigInt(`0x${capEff}`)).toBe(0n);
  });

  it('has no network: neither the host loopback nor the outside', async () => {
    const r = await sandbox.run({
      code: `
import socket
for host, port in [('127.0.0.1', ${port}), ('1.1.1.1', 80), ('10.0.0.1', 80)]:
    try:
        socket.create_connection((host, port), timeout=2).recv(10)
        print('CONNECTED', host)
    except OSError as e:
        print('blocked', host, type(e).__name__)
try:
    socket.getaddrinfo('pypi.org', 443)
    print('RESOLVED')
except OSError as e:
    print('no dns', type(e).__name__)
`,
    });
    expect(r.stdout).not.toContain('CONNECTED');
    expect(r.stdout).not.toContain('RESOLVED');
    expect(r.stdout.match(/blocked/g)).toHaveLength(3);
    expect(connections).toBe(0);
  });

  it('cannot read host files, the host environment, or other processes’ environments', async () => {
    const r = await sandbox.run({
      code: `
import os, glob
print(dict(os.environ))
for path in ['${hostFile}', '/etc/passwd', '/etc/shadow', '/root/.bashrc', '/work/main/package.json', '/proc/1/environ']:
    try:
        print(path, open(path, 'rb').read()[:200])
    except OSError as e:
        print(path, 'denied', type(e).__name__)
for env in glob.glob('/proc/*/environ'):
    try:
        print(env, open(env, 'rb').read())
    except OSError:
        pass
print(sorted(os.listdir('/')))
`,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout).not.toContain('ARBORETUM_TEST_SECRET');
    expect(r.stdout).toContain(`${hostFile} denied`);
    expect(r.stdout).toContain('/etc/passwd denied');
    expect(r.stdout).toContain('/work/main/package.json denied');
    // Only what the sandbox binds: no /home, /root, /work, /tmp of the host.
    expect(r.stdout).not.toMatch(/'(?:home|root|work|tmp|var)'/);
  });

  it('cannot write outside its scratch folder, and scratch does not outlive the run', async () => {
    const r = await sandbox.run({
      code: `
import os
for path in ['/usr/evil', '/etc/evil', '${hostFile}', '/evil', '/sandbox/runner.py']:
    try:
        open(path, 'w').write('x')
        print('WROTE', path)
    except OSError as e:
        print('denied', path)
open('/scratch/mine.txt', 'w').write('ok')
print(os.getcwd(), open('mine.txt').read())
`,
    });
    expect(r.stdout).not.toContain('WROTE');
    expect(r.stdout).toContain('/scratch ok');
    expect(readFileSync(hostFile, 'utf8')).toBe(SECRET);
    const again = await sandbox.run({ code: `import os\nprint(os.listdir('.'))` });
    expect(again.stdout.trim()).toBe('[]');
  });

  it('contains a fork bomb and leaves nothing running', async () => {
    const marker = `forkbomb${randomBytes(6).toString('hex')}`;
    const r = await sandbox.run({
      code: `
import os, sys
sys.argv[0] = '${marker}'
n = 0
while True:
    try:
        os.fork()
        n += 1
    except OSError:
        pass
`,
      timeoutMs: 3000,
    });
    expect(r.timedOut || r.exitCode !== 0 || r.signal !== null).toBe(true);
    await expectNoneLeft(marker);
    const after = await sandbox.run({ code: 'print("still fine")' });
    expect(after.stdout).toBe('still fine\n');
  });

  it('contains a fork bomb of processes that sleep (the process limit holds)', async () => {
    const r = await sandbox.run({
      code: `
import subprocess
procs = []
try:
    for i in range(500):
        procs.append(subprocess.Popen(['sleep', '30']))
except OSError as e:
    print('refused after', len(procs), type(e).__name__)
`,
      timeoutMs: 5000,
    });
    expect(r.stdout).toMatch(/refused after \d+ BlockingIOError/);
    expect(Number(/after (\d+)/.exec(r.stdout)![1])).toBeLessThan(64);
  });

  it('reports a memory bomb as memoryExceeded', async () => {
    const r = await sandbox.run({ code: `a = []\nwhile True:\n    a.append(' ' * 10**7)`, memoryMb: 256 });
    expect(r.memoryExceeded).toBe(true);
    expect(r.exitCode).not.toBe(0);
    const numpy = await sandbox.run({
      code: `import numpy as np\nx = np.ones((20000, 20000))`,
      memoryMb: 256,
    });
    expect(numpy.memoryExceeded).toBe(true);
  });

  it('kills an infinite loop at the wall-clock timeout', async () => {
    const r = await sandbox.run({ code: 'while True: pass', timeoutMs: 1000 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    // Killed by the timer, not sooner (no upper bound: a loaded machine may deliver the kill late).
    expect(r.durationMs).toBeGreaterThanOrEqual(990);
  });

  it('caps an output flood and reports the cap', async () => {
    const small = createSandbox({ outputLimitBytes: 64 * 1024, concurrency: 1 });
    try {
      const r = await small.run({ code: `while True:\n    print('x' * 1000)` });
      expect(r.outputTruncated).toBe(true);
      expect(Buffer.byteLength(r.stdout)).toBe(64 * 1024);
      // Ended by the cap, not by the timeout (a fact of the run, where a wall-clock bound would flake under load).
      expect(r.timedOut).toBe(false);
    } finally {
      await small.close();
    }
  });

  it('limits file size and the scratch folder', async () => {
    const r = await sandbox.run({
      code: `
import signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
try:
    with open('big', 'wb') as f:
        f.write(b'0' * (100 * 1024 * 1024))
    print('WROTE')
except OSError as e:
    print('refused', type(e).__name__)
`,
    });
    expect(r.stdout).toContain('refused');
    // Files under the size limit still cannot fill more than the 64 MiB scratch tmpfs.
    const fill = await sandbox.run({
      code: `
written = 0
try:
    for i in range(10):
        with open('f%d' % i, 'wb') as f:
            f.write(b'0' * (15 * 1024 * 1024))
        written += 15
except OSError as e:
    print('full after', written, 'MiB', e.strerror)
`,
    });
    expect(fill.stdout).toMatch(/full after (45|60) MiB No space left on device/);
  });

  it('kills orphaned children that outlive the run, even ones that start a new session', async () => {
    const marker = `orphan${randomBytes(6).toString('hex')}`;
    const r = await sandbox.run({
      code: `
import subprocess, os
subprocess.Popen(['sh', '-c', 'sleep 60; echo ${marker}'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp('sh', ['sh', '-c', 'sleep 61 # ${marker}'])
    os._exit(0)
print('parent exits')
`,
    });
    expect(r.stdout).toBe('parent exits\n');
    expect(r.exitCode).toBe(0);
    await expectNoneLeft(marker);
  });

  it('kills the whole process tree at the timeout', async () => {
    const marker = `tree${randomBytes(6).toString('hex')}`;
    const r = await sandbox.run({
      code: `
import subprocess, time
for i in range(3):
    subprocess.Popen(['sh', '-c', 'while :; do :; done # ${marker}'])
time.sleep(100)
`,
      timeoutMs: 1500,
    });
    expect(r.timedOut).toBe(true);
    await expectNoneLeft(marker);
  });

  it('cannot signal its parent or the host', async () => {
    const r = await sandbox.run({
      code: `
import os, signal
for pid in [os.getppid(), ${process.pid}, 1]:
    try:
        os.kill(pid, signal.SIGKILL)
        print('sent', pid)
    except OSError as e:
        print('no', pid, type(e).__name__)
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
`,
    });
    // Whatever it managed inside its own pid namespace, the host process (this test) is alive and so is
    // the sandbox for the next run.
    expect(r.stdout).not.toContain(`sent ${process.pid}`);
    const after = await sandbox.run({ code: 'print(1 + 1)' });
    expect(after.stdout).toBe('2\n');
  });

  it('refuses clearly where bubblewrap cannot run, and runs unsafe only when asked', async () => {
    expect(() => createSandbox({ bwrap: '/nonexistent/bwrap' })).toThrow(
      /bubblewrap cannot run here.*--unsafe/s,
    );
    try {
      createSandbox({ bwrap: '/nonexistent/bwrap' });
    } catch (e) {
      expect((e as { code: string }).code).toBe('SANDBOX_UNAVAILABLE');
    }
    const unsafe = createSandbox({ bwrap: '/nonexistent/bwrap', unsafe: true, concurrency: 1 });
    try {
      expect(unsafe.mode).toBe('unsafe');
      const r = await unsafe.run({ code: `import os\nprint(os.environ.get('ARBORETUM_TEST_SECRET'))` });
      expect(r.stdout).toBe('None\n');
      const marker = `unsafe${randomBytes(6).toString('hex')}`;
      const loop = await unsafe.run({
        code: `import subprocess\nsubprocess.Popen(['sh', '-c', 'sleep 60 # ${marker}'])\nwhile True: pass`,
        timeoutMs: 1000,
      });
      expect(loop.timedOut).toBe(true);
      await expectNoneLeft(marker);
    } finally {
      await unsafe.close();
    }
  });
});
