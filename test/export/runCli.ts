import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `arboretum ARGS` (bin/arboretum.js) to the end: its exit code and output, also when it fails. */
export function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/arboretum.js', ...args], {
    cwd: process.cwd(),
    maxBuffer: 1 << 26,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
  );
}
