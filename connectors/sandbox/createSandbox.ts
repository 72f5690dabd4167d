/**
 * The environment: untrusted Python run under bubblewrap.
 *
 * ```ts
 * const sandbox = createSandbox();               // throws SANDBOX_UNAVAILABLE when bwrap cannot run (unless unsafe)
 * const r = await sandbox.run({ cells: [turn1Code, turn2Code], stdin: '' });
 * // r: { stdout, stderr, exitCode, signal, timedOut, memoryExceeded, outputTruncated, durationMs }
 * const t = await sandbox.runTests({ code, inputs: ['1 2\n', '3 4\n'], entryPoint: null });
 * const s = await sandbox.checkSyntax(code);      // { ok, error, line }
 * await sandbox.close();
 * ```
 *
 * - Notebook semantics without shared processes: a request carries every cell of its branch so far; the
 *   earlier cells are re-executed silently in one fresh interpreter (stdin /dev/null, output discarded,
 *   their exceptions ignored as a notebook would) and only the last cell's stdout/stderr/exit are
 *   reported. Branches never share state; a cell that uses randomness or the clock may see a different
 *   value on re-execution (seed it).
 * - Isolation: new user/pid/net/ipc/uts/cgroup namespaces (no network at all, only a loopback), the host's
 *   /usr read-only, a private 64 MiB tmpfs as the working directory /scratch, an empty environment
 *   (SANDBOX_ENV only), no capabilities, host uid nobody when arboretum runs as root.
 * - Limits per run (defaults): wall clock `timeoutMs` 10000 (kills the whole tree), CPU time the same in
 *   seconds + 1, address space `memoryMb` 512 per process, 32 processes/threads, 16 MiB per written
 *   file, `outputLimitBytes` 2 MiB per stream (past it the run is killed and `outputTruncated` set).
 * - At most `concurrency` runs at a time (default: the number of cores); the rest queue.
 * - `run` resolves for anything the program does (errors, timeouts, kills are fields of the result);
 *   it rejects only when the sandbox itself cannot start a process.
 * - numpy and sympy: installed from Debian (python3-numpy, python3-sympy) by scripts/setup.d/20-sandbox.sh
 *   for the default interpreter /usr/bin/python3; another `python` must have its own packages.
 * - `unsafe: true` runs the same runner WITHOUT bubblewrap (limits and timeouts only): explicit opt-in.
 */
import type { ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import type { Writable } from 'node:stream';
import { ArboretumError } from '../../schemas/errors.ts';
import { createLimiter } from '../shared/createLimiter.ts';
import { createLauncher, type Launcher } from './createLauncher.ts';
import { createPythonWorker } from './createPythonWorker.ts';
import type {
  ExecRequest,
  ExecResult,
  Sandbox,
  SyntaxCheck,
  TestRunResult,
  TestsOutcome,
  TestsRequest,
} from './sandboxTypes.ts';

export interface SandboxOptions {
  /** Interpreter on the host (default Debian's /usr/bin/python3, which has numpy and sympy). */
  readonly python?: string;
  /** Runs at a time (default: cores). */
  readonly concurrency?: number;
  /** Default wall-clock limit per run, ms (default 10000). */
  readonly timeoutMs?: number;
  /** Default address-space limit per process, MiB (default 512). */
  readonly memoryMb?: number;
  /** Processes and threads per run (default 32). */
  readonly processes?: number;
  /** Largest file a run may write, MiB (default 16). */
  readonly fileMb?: number;
  /** Size of /scratch, MiB (default 64). */
  readonly scratchMb?: number;
  /** Cap on each of stdout and stderr, bytes (default 2 MiB). */
  readonly outputLimitBytes?: number;
  /** Run without bubblewrap: no isolation, only limits. Explicit opt-in (default false). */
  readonly unsafe?: boolean;
  /** bubblewrap binary (default `bwrap` on PATH). */
  readonly bwrap?: string;
}

const MEMORY_ERROR = /\bMemoryError\b|Unable to allocate|Cannot allocate memory|std::bad_alloc|out of memory/;

/** Signals a sandboxed program dies of; bubblewrap reports them as exit code 128 + n. */
const FATAL_SIGNALS: Record<number, string> = {
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ArboretumError('INVALID_CONFIG', `sandbox: ${name} must be a whole number >= 1, got ${value}`);
  }
  return value;
}

/** A byte-capped collector for one output stream. */
function collector(limit: number, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk: Buffer) {
      if (truncated) return;
      if (size + chunk.length > limit) {
        chunks.push(chunk.subarray(0, limit - size));
        size = limit;
        truncated = true;
        onOverflow();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    get text() {
      return Buffer.concat(chunks).toString('utf8');
    },
    get truncated() {
      return truncated;
    },
  };
}

/** The cells request in runner.py's JSON-free format (start-up time matters): a limits line, then each cell. */
function encodeCells(cells: readonly string[], limits: Record<string, number>): Buffer {
  const head = `cells ${[limits.memoryBytes, limits.cpuSeconds, limits.processes, limits.fileBytes, limits.openFiles].join(' ')}\n`;
  const parts: Buffer[] = [Buffer.from(head)];
  for (const cell of cells) {
    const body = Buffer.from(cell, 'utf8');
    parts.push(Buffer.from(`${body.length}\n`), body);
  }
  return Buffer.concat(parts);
}

/** Waits for a child to end; resolves its exit code and signal. */
function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/** Creates the sandbox (see the comment atop this file). Throws SANDBOX_UNAVAILABLE / INVALID_CONFIG. */
export function createSandbox({
  python = '/usr/bin/python3',
  concurrency = cpus().length,
  timeoutMs = 10_000,
  memoryMb = 512,
  processes = 32,
  fileMb = 16,
  scratchMb = 64,
  outputLimitBytes = 2 * 1024 * 1024,
  unsafe = false,
  bwrap = 'bwrap',
}: SandboxOptions = {}): Sandbox {
  positiveInt('concurrency', concurrency);
  positiveInt('timeoutMs', timeoutMs);
  positiveInt('memoryMb', memoryMb);
  positiveInt('processes', processes);
  positiveInt('fileMb', fileMb);
  positiveInt('outputLimitBytes', outputLimitBytes);
  const launcher: Launcher = createLauncher({ python, unsafe, scratchMb, bwrap });
  const limiter = createLimiter({ concurrency });
  const running = new Set<ChildProcess>();
  let syntaxWorker: ReturnType<typeof createPythonWorker> | null = null;
  let closed = false;

  function limitsFor(runTimeoutMs: number, runMemoryMb: number) {
    return {
      memoryBytes: runMemoryMb * 1024 * 1024,
      cpuSeconds: Math.ceil(runTimeoutMs / 1000) + 1,
      processes,
      fileBytes: fileMb * 1024 * 1024,
      openFiles: 256,
    };
  }

  function signalOf(code: number | null, signal: NodeJS.Signals | null) {
    if (signal) return { exitCode: null, signal: signal as string };
    if (launcher.mode === 'bwrap' && code !== null && code > 128 && FATAL_SIGNALS[code - 128]) {
      return { exitCode: null, signal: FATAL_SIGNALS[code - 128] };
    }
    return { exitCode: code, signal: null };
  }

  /** Spawns the runner with `request` on fd 3 and `stdin` on fd 0, under the wall-clock limit. */
  async function launch(
    request: string | Buffer,
    stdin: string,
    runTimeoutMs: number,
    onStdout: (chunk: Buffer) => void,
    onStderr: (chunk: Buffer) => void,
    onSpawn: (child: ChildProcess) => void,
  ) {
    if (closed) throw new ArboretumError('SANDBOX_FAILED', 'sandbox: closed');
    const started = performance.now();
    const child = launcher.spawn('runner.py', { extraFds: 1 });
    running.add(child);
    onSpawn(child);
    const done = ended(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      launcher.kill(child);
    }, runTimeoutMs);
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', onStderr);
    const requestPipe = child.stdio[3] as Writable;
    for (const pipe of [child.stdin!, requestPipe]) pipe.on('error', () => {});
    requestPipe.end(request);
    child.stdin!.end(stdin);
    try {
      const { code, signal } = await done;
      return { code, signal, timedOut, durationMs: performance.now() - started };
    } finally {
      clearTimeout(timer);
      running.delete(child);
    }
  }

  return {
    mode: launcher.mode,

    run(request: ExecRequest): Promise<ExecResult> {
      const cells = request.cells ?? (request.code !== undefined ? [request.code] : null);
      if (!cells || cells.length === 0) {
        return Promise.reject(
          new ArboretumError('INVALID_INPUT', 'sandbox.run: give `cells` (non-empty) or `code`'),
        );
      }
      const runTimeoutMs = request.timeoutMs ?? timeoutMs;
      const runMemoryMb = request.memoryMb ?? memoryMb;
      return limiter.run(async () => {
        let child: ChildProcess | undefined;
        const kill = () => child && launcher.kill(child);
        const out = collector(outputLimitBytes, kill);
        const err = collector(outputLimitBytes, kill);
        const r = await launch(
          encodeCells(cells, limitsFor(runTimeoutMs, runMemoryMb)),
          request.stdin ?? '',
          runTimeoutMs,
          (c) => out.push(c),
          (c) => err.push(c),
          (c) => {
            child = c;
          },
        );
        const stderr = err.text;
        const { exitCode, signal } = signalOf(r.code, r.signal);
        return {
          stdout: out.text,
          stderr,
          exitCode,
          signal,
          timedOut: r.timedOut,
          memoryExceeded: MEMORY_ERROR.test(stderr.slice(-2000)),
          outputTruncated: out.truncated || err.truncated,
          durationMs: Math.round(r.durationMs * 1000) / 1000,
        };
      });
    },

    runTests(request: TestsRequest): Promise<TestsOutcome> {
      const perTestTimeoutMs = request.perTestTimeoutMs ?? 4000;
      const total = request.timeoutMs ?? Math.min(perTestTimeoutMs * request.inputs.length + 5000, 300_000);
      const runMemoryMb = request.memoryMb ?? memoryMb;
      return limiter.run(async () => {
        const results: TestRunResult[] = [];
        let compileError: string | null = null;
        let stopped = false;
        let protocolError: string | null = null;
        let child: ChildProcess | undefined;
        let stdoutBytes = 0;
        const err = collector(64 * 1024, () => {});
        const lines: string[] = [];
        let partial = '';
        const onLine = (line: string) => {
          if (stopped || !line) return;
          let msg: TestRunResult & { compileError?: string };
          try {
            msg = JSON.parse(line);
          } catch {
            protocolError = `result line is not JSON: ${line.slice(0, 100)}`;
            stopped = true;
            if (child) launcher.kill(child);
            return;
          }
          if (msg.compileError !== undefined) {
            compileError = msg.compileError;
            return;
          }
          if (msg.index !== results.length) {
            // Results come strictly in order; anything else did not come from the runner.
            protocolError = `result line out of order (index ${msg.index}, expected ${results.length})`;
            stopped = true;
            if (child) launcher.kill(child);
            return;
          }
          results.push(msg as TestRunResult);
          if (request.onResult?.(msg) === false) {
            stopped = true;
            if (child) launcher.kill(child);
          }
        };
        const r = await launch(
          JSON.stringify({
            mode: 'tests',
            code: request.code,
            inputs: request.inputs,
            entryPoint: request.entryPoint ?? null,
            testKind: request.testKind ?? null,
            perTestTimeoutMs,
            outputLimitBytes,
            limits: limitsFor(perTestTimeoutMs, runMemoryMb),
          }),
          '',
          total,
          (chunk) => {
            stdoutBytes += chunk.length;
            // Result lines are at most a few output caps long; anything beyond means a broken runner.
            if (stdoutBytes > (outputLimitBytes * 3 + 16_384) * (request.inputs.length + 1)) {
              if (child) launcher.kill(child);
              return;
            }
            const text = partial + chunk.toString('utf8');
            const parts = text.split('\n');
            partial = parts.pop() ?? '';
            lines.push(...parts);
            while (lines.length) onLine(lines.shift()!);
          },
          (c) => err.push(c),
          (c) => {
            child = c;
          },
        );
        // Assigned in the line callback, which TypeScript's narrowing does not follow.
        const broken = protocolError as string | null;
        const failed = !stopped && !r.timedOut && (r.code !== 0 || r.signal !== null);
        return {
          compileError,
          results,
          stopped: stopped && broken === null,
          timedOut: r.timedOut,
          error:
            broken ??
            (failed
              ? `runner ended with ${r.signal ?? `exit code ${r.code}`}: ${err.text.slice(-2000)}`
              : null),
          durationMs: Math.round(r.durationMs * 1000) / 1000,
        };
      });
    },

    async checkSyntax(code: string): Promise<SyntaxCheck> {
      syntaxWorker ??= createPythonWorker({ launcher, memoryMb: 1024, timeoutMs: 5000 });
      const reply = await syntaxWorker.call('syntax', { code });
      if (reply.timeout) return { ok: false, error: 'timeout', line: null };
      if (typeof reply.ok !== 'boolean')
        return { ok: false, error: String(reply.error ?? 'worker failed'), line: null };
      return {
        ok: reply.ok,
        error: (reply.error as string | null) ?? null,
        line: (reply.line as number | null) ?? null,
      };
    },

    async close() {
      closed = true;
      syntaxWorker?.close();
      const waits = [...running].map((c) => ended(c).catch(() => {}));
      for (const c of running) launcher.kill(c);
      await Promise.all(waits);
      launcher.close();
    },
  };
}
