import { readFile } from 'node:fs/promises';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import { ArboretumError } from '../../schemas/errors.ts';
import { intFlag, parseFlags, UNSAFE_SANDBOX_FLAGS, unsafeSandbox } from '../args.ts';
import type { Command } from '../command.ts';
import { jsonLine, writeOut } from '../output.ts';

const OUTPUT_LIMIT = 2 * 1024 * 1024;

const help = `arboretum exec — run a Python file in the sandbox and print the outcome as one JSON object

Usage:
  arboretum exec FILE.py [--stdin FILE] [--timeout-ms N] [--memory-mb N] [--python PATH] [--unsafe-sandbox]

Prints {stdout, stderr, exitCode, signal, timedOut, memoryExceeded, outputTruncated, outputLimitBytes, durationMs}.
The program runs under bubblewrap: no network, read-only system, a private /scratch as working directory,
an empty environment; --timeout-ms (default 10000) kills the whole process tree, --memory-mb (default 512)
limits each process's address space, stdout and stderr are capped at ${OUTPUT_LIMIT} bytes each.
--python defaults to /usr/bin/python3 (Debian's, with numpy and sympy).
--unsafe-sandbox runs WITHOUT isolation (limits only) where bubblewrap is unavailable (--unsafe: deprecated alias).
Exit status: 0 when the program ran (whatever it did), 2 when it could not be run.

Example:
  arboretum exec solution.py --stdin input.txt --timeout-ms 5000`;

/** `arboretum exec FILE.py`: one sandboxed run, reported as JSON. */
export const command: Command = {
  name: 'exec',
  summary: 'run a Python file in the sandbox and print the outcome as JSON',
  help,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, {
      stdin: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'memory-mb': { type: 'string' },
      python: { type: 'string' },
      ...UNSAFE_SANDBOX_FLAGS,
    });
    if (positionals.length !== 1) {
      throw new ArboretumError(
        'INVALID_INPUT',
        `exec takes exactly one FILE.py, got ${positionals.length}\n\n${help}`,
      );
    }
    const file = positionals[0];
    const read = (path: string, what: string) =>
      readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new ArboretumError('INVALID_INPUT', `cannot read ${what} ${path}: ${e.code ?? e.message}`, {
          context: { file: path },
        });
      });
    const code = await read(file, 'program');
    const stdin = values.stdin === undefined ? '' : await read(values.stdin, '--stdin file');
    const timeoutMs = intFlag('timeout-ms', values['timeout-ms'], 10_000);
    const memoryMb = intFlag('memory-mb', values['memory-mb'], 512);
    const sandbox = createSandbox({
      python: values.python,
      unsafe: unsafeSandbox('exec', values),
      timeoutMs: Math.max(1, timeoutMs),
      memoryMb: Math.max(1, memoryMb),
      outputLimitBytes: OUTPUT_LIMIT,
      concurrency: 1,
    });
    try {
      const r = await sandbox.run({ code, stdin });
      await writeOut(jsonLine({ ...r, outputLimitBytes: OUTPUT_LIMIT, mode: sandbox.mode }));
      return 0;
    } finally {
      await sandbox.close();
    }
  },
};
