import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ArboretumError } from '../../schemas/errors.ts';

/** The environment every sandboxed process sees: nothing of the host's (no API keys, no HOME, no proxies). */
export const SANDBOX_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/scratch',
  TMPDIR: '/scratch',
  LANG: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONIOENCODING: 'utf-8',
  OPENBLAS_NUM_THREADS: '1',
  OMP_NUM_THREADS: '1',
  MKL_NUM_THREADS: '1',
  MPLBACKEND: 'Agg',
};

/** Folders of live launchers, removed at process exit when their owner forgot close(). */
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function removeAtExit(dir: string) {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** Host uid/gid the sandbox runs as when arboretum runs as root (nobody), so host files stay out of reach. */
const NOBODY = 65534;

export interface LauncherOptions {
  /** Interpreter path on the host (default Debian's /usr/bin/python3). */
  readonly python?: string;
  /** Run without bubblewrap (no isolation: only limits and timeouts). Explicit opt-in. */
  readonly unsafe?: boolean;
  /** Size of the private writable /scratch tmpfs, MiB (default 64). */
  readonly scratchMb?: number;
  /** bubblewrap binary (default `bwrap` on PATH). */
  readonly bwrap?: string;
}

export interface SpawnOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Extra stdio after 0,1,2 (e.g. a pipe on fd 3 for the request). */
  readonly extraFds?: number;
}

/** Starts the sandbox's Python scripts (runner.py, worker.py) under bubblewrap, or bare when unsafe. */
export interface Launcher {
  readonly mode: 'bwrap' | 'unsafe';
  readonly python: string;
  spawn(script: 'runner.py' | 'worker.py', options?: SpawnOptions): ChildProcess;
  /** Kills a launched process and everything it started (SIGKILL). */
  kill(child: ChildProcess): void;
  close(): void;
}

function hostRootLinks(): string[] {
  const args: string[] = [];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

/** The bubblewrap arguments (before the command): no network, read-only system, private /scratch, empty env. */
export function bwrapArgs({
  python,
  scriptsDir,
  scratchMb,
  env,
}: {
  python: string;
  scriptsDir: string;
  scratchMb: number;
  env: Readonly<Record<string, string>>;
}): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
    ...hostRootLinks(),
    '--ro-bind-try',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind-try',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    '--ro-bind-try',
    '/etc/localtime',
    '/etc/localtime',
    '--ro-bind',
    scriptsDir,
    '/sandbox',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(16 * 1024 * 1024),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(scratchMb * 1024 * 1024),
    '--tmpfs',
    '/scratch',
    '--chdir',
    '/scratch',
    '--clearenv',
  ];
  // An interpreter outside /usr (pyenv, a venv) is bound read-only with its whole prefix.
  const real = realpathSync(python);
  if (!real.startsWith('/usr/')) {
    const prefix = dirname(dirname(real));
    args.push('--ro-bind', prefix, prefix);
    const linked = dirname(dirname(python));
    if (linked !== prefix && !linked.startsWith('/usr/')) args.push('--ro-bind', linked, linked);
  }
  // The root tmpfs bwrap builds (and /etc on it) read-only too: only /scratch and /dev/shm are writable.
  args.push('--remount-ro', '/');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  return args;
}

/**
 * Prepares the scripts and checks that bubblewrap runs here. Throws SANDBOX_UNAVAILABLE (naming the reason)
 * when it does not and `unsafe` is not set; throws INVALID_CONFIG for a missing interpreter.
 */
export function createLauncher({
  python = '/usr/bin/python3',
  unsafe = false,
  scratchMb = 64,
  bwrap = 'bwrap',
}: LauncherOptions = {}): Launcher {
  if (!existsSync(python)) {
    throw new ArboretumError('INVALID_CONFIG', `sandbox: Python interpreter ${python} does not exist`, {
      context: { python },
    });
  }
  if (!Number.isInteger(scratchMb) || scratchMb < 1) {
    throw new ArboretumError(
      'INVALID_CONFIG',
      `sandbox: scratchMb must be a whole number >= 1, got ${scratchMb}`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  const scriptsDir = mkdtempSync(join(tmpdir(), 'arboretum-sandbox-'));
  chmodSync(scriptsDir, 0o755);
  removeAtExit(scriptsDir);
  for (const script of ['runner.py', 'worker.py']) {
    copyFileSync(new URL(script, import.meta.url), join(scriptsDir, script));
    chmodSync(join(scriptsDir, script), 0o644);
  }
  const scratchDirs = new Set<string>();
  const baseArgs = unsafe ? [] : bwrapArgs({ python, scriptsDir, scratchMb, env: SANDBOX_ENV });

  if (!unsafe) {
    const probe = spawnSync(bwrap, [...baseArgs, python, '-I', '-c', 'print(42)'], {
      ...ids,
      encoding: 'utf8',
      timeout: 20_000,
      env: {},
    });
    if (probe.error || probe.status !== 0 || probe.stdout.trim() !== '42') {
      liveDirs.delete(scriptsDir);
      rmSync(scriptsDir, { recursive: true, force: true });
      const why = probe.error ? probe.error.message : (probe.stderr || `exit ${probe.status}`).trim();
      throw new ArboretumError(
        'SANDBOX_UNAVAILABLE',
        `sandbox: bubblewrap cannot run here (${why}). Install it (scripts/setup.d/20-sandbox.sh: apt-get install bubblewrap) ` +
          'and allow user namespaces, or pass --unsafe / { unsafe: true } to run untrusted code WITHOUT isolation',
        { context: { bwrap, python } },
      );
    }
  }

  return {
    mode: unsafe ? 'unsafe' : 'bwrap',
    python,
    spawn(script, { env = {}, extraFds = 0 } = {}) {
      const stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe'];
      for (let i = 0; i < extraFds; i++) stdio.push('pipe');
      if (unsafe) {
        const scratch = mkdtempSync(join(tmpdir(), 'arboretum-scratch-'));
        if (asRoot) spawnSync('chown', [`${NOBODY}:${NOBODY}`, scratch]);
        scratchDirs.add(scratch);
        const child = spawn(python, ['-I', join(scriptsDir, script)], {
          ...ids,
          cwd: scratch,
          env: { ...SANDBOX_ENV, HOME: scratch, TMPDIR: scratch, ...env },
          stdio,
          detached: true,
        });
        child.once('close', () => {
          rmSync(scratch, { recursive: true, force: true });
          scratchDirs.delete(scratch);
        });
        return child;
      }
      const extra = Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]);
      return spawn(bwrap, [...baseArgs, ...extra, python, '-I', `/sandbox/${script}`], {
        ...ids,
        env: {},
        stdio,
      });
    },
    kill(child) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        // Unsafe: the whole process group. Bubblewrap: its sandbox init dies with it (--die-with-parent),
        // and the kernel then kills everything left in the sandbox's pid namespace.
        if (unsafe) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    },
    close() {
      liveDirs.delete(scriptsDir);
      rmSync(scriptsDir, { recursive: true, force: true });
      for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
