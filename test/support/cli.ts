import { spawn } from 'node:child_process';
import { arboretumBin } from './arboretumBin.ts';

/** How one CLI run ended, and all it wrote. */
export interface CliRun {
  /** Exit code; null when a signal ended it (see signal). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Added to (and overriding) this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Clears OPENAI_API_KEY and OPENAI_BASE_URL first, so nothing remote is reachable unless `env` says so. */
  readonly noRemoteLlm?: boolean;
  /** Kills the run (SIGKILL) after this many ms: a hang detector, never a speed check. Default none. */
  readonly killAfterMs?: number;
  readonly cwd?: string;
}

/**
 * Runs `arboretum <args>` (node bin/arboretum.js) as a child process and resolves with its exit code and output,
 * whatever the code: tests assert on both. The one CLI runner of the tests.
 */
export function cli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const { env = {}, noRemoteLlm = false, killAfterMs, cwd } = options;
  const base = noRemoteLlm ? { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } : process.env;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [arboretumBin, ...args], {
      cwd,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: killAfterMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    // Decoded as UTF-8 across chunk borders (a character split between two chunks stays whole).
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
