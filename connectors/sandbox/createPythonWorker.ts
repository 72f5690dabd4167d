import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ArboretumError } from '../../schemas/errors.ts';
import { createLimiter } from '../shared/createLimiter.ts';
import type { Launcher } from './createLauncher.ts';

/** A reply of worker.py, or `{ timeout: true }` when the call ran past its limit (the worker was restarted). */
export type WorkerReply = Record<string, unknown> & { readonly timeout?: boolean };

/** A long-lived sandboxed Python helper (worker.py) answering one call at a time. */
export interface PythonWorker {
  call(op: string, payload: Record<string, unknown>, timeoutMs?: number): Promise<WorkerReply>;
  close(): void;
}

interface Live {
  child: ChildProcess;
  ready: Promise<void>;
  pending: Map<number, (reply: WorkerReply) => void>;
}

/**
 * Starts worker.py through the launcher on first use. A call that takes longer than `timeoutMs`
 * (default 5000) kills the worker, resolves `{timeout: true}`, and the next call starts a fresh one;
 * a worker that dies is restarted the same way. `memoryMb` (default 1024) bounds its address space.
 * `env` is added to the worker's environment (e.g. ARBORETUM_PYLIB, where worker.py finds Math-Verify).
 */
export function createPythonWorker({
  launcher,
  memoryMb = 1024,
  timeoutMs = 5000,
  preloadSympy = false,
  env: extraEnv = {},
}: {
  launcher: Launcher;
  memoryMb?: number;
  timeoutMs?: number;
  preloadSympy?: boolean;
  env?: Readonly<Record<string, string>>;
}): PythonWorker {
  const one = createLimiter({ concurrency: 1 });
  let live: Live | null = null;
  let nextId = 1;
  let closed = false;

  function start(): Live {
    const env: Record<string, string> = {
      ...extraEnv,
      ARBORETUM_MEMORY_BYTES: String(memoryMb * 1024 * 1024),
    };
    if (preloadSympy) env.ARBORETUM_PRELOAD_SYMPY = '1';
    const child = launcher.spawn('worker.py', { env });
    const pending = new Map<number, (reply: WorkerReply) => void>();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    child.stdin?.on('error', () => {});
    let markReady: () => void = () => {};
    let failReady: (e: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => {});
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      let msg: WorkerReply;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.ready) return markReady();
      const resolve = pending.get(msg.id as number);
      if (resolve) {
        pending.delete(msg.id as number);
        resolve(msg);
      }
    });
    child.once('close', (code, signal) => {
      const why = `worker exited (${signal ?? `code ${code}`}): ${stderr.trim().slice(-500)}`;
      failReady(new ArboretumError('SANDBOX_FAILED', `sandbox worker: ${why}`, { retriable: true }));
      for (const resolve of pending.values()) resolve({ error: why });
      pending.clear();
      if (live?.child === child) live = null;
    });
    return { child, ready, pending };
  }

  return {
    call(op, payload, callTimeoutMs = timeoutMs) {
      if (closed) return Promise.reject(new ArboretumError('SANDBOX_FAILED', 'sandbox worker: closed'));
      return one.run(async () => {
        if (!live) live = start();
        const w = live;
        // The first call also waits for the interpreter to start (sympy import): not counted in its limit.
        await w.ready;
        const id = nextId++;
        return new Promise<WorkerReply>((resolve) => {
          const timer = setTimeout(() => {
            w.pending.delete(id);
            launcher.kill(w.child);
            if (live === w) live = null;
            resolve({ timeout: true });
          }, callTimeoutMs);
          w.pending.set(id, (reply) => {
            clearTimeout(timer);
            resolve(reply);
          });
          w.child.stdin!.write(`${JSON.stringify({ ...payload, op, id })}\n`);
        });
      });
    },
    close() {
      closed = true;
      if (live) launcher.kill(live.child);
      live = null;
    },
  };
}
