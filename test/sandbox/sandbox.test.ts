import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../connectors/sandbox/createSandbox.ts';
import type { Sandbox, TestRunResult } from '../../connectors/sandbox/sandboxTypes.ts';

let sandbox: Sandbox;
let dir: string;

beforeAll(() => {
  sandbox = createSandbox({ concurrency: 2 });
  dir = mkdtempSync(join(tmpdir(), 'arboretum-exec-'));
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sandbox.run: notebook semantics', () => {
  it('a later cell sees what earlier cells defined; only the last cell’s output is reported', async () => {
    const r = await sandbox.run({
      cells: [
        'x = 40\nprint("turn one output")',
        'def f(y):\n    return x + y\nprint("turn two")',
        'print(f(2))',
      ],
    });
    expect(r).toMatchObject({
      stdout: '42\n',
      stderr: '',
      exitCode: 0,
      timedOut: false,
      memoryExceeded: false,
    });
  });

  it('carries non-ASCII cells and output intact', async () => {
    const r = await sandbox.run({ cells: ['s = "héllo ✓ 数学"\n# naïve comment', 'print(s, len(s))'] });
    expect(r.stdout).toBe('héllo ✓ 数学 10\n');
  });

  it('an exception in an earlier cell does not stop later cells (as in Jupyter)', async () => {
    const r = await sandbox.run({
      cells: ['a = 1\nraise ValueError("old")\nb = 2', 'print(a, "b" in globals())'],
    });
    expect(r.stdout).toBe('1 False\n');
    expect(r.stderr).toBe('');
  });

  it('branches never share state, even when run at the same time', async () => {
    const [left, right] = await Promise.all([
      sandbox.run({ cells: ['v = "left"', 'import time; time.sleep(0.2); print(v)'] }),
      sandbox.run({ cells: ['v = "right"', 'import time; time.sleep(0.2); print(v)'] }),
    ]);
    expect(left.stdout).toBe('left\n');
    expect(right.stdout).toBe('right\n');
    const fresh = await sandbox.run({ code: 'print("v" in globals())' });
    expect(fresh.stdout).toBe('False\n');
  });

  it('feeds stdin to the last cell only and reports tracebacks and exit codes like python', async () => {
    const r = await sandbox.run({
      cells: ['import sys\nearly = sys.stdin.read()', 'print(repr(early), input())'],
      stdin: 'hi\n',
    });
    expect(r.stdout).toBe("'' hi\n");
    const err = await sandbox.run({ code: 'def g():\n    return 1 / 0\ng()' });
    expect(err.exitCode).toBe(1);
    expect(err.stderr).toMatch(/Traceback[\s\S]*line 2, in g[\s\S]*ZeroDivisionError: division by zero\n$/);
    expect(err.stderr).not.toContain('runner.py');
    const exit = await sandbox.run({ code: 'import sys\nprint("bye")\nsys.exit(7)' });
    expect(exit).toMatchObject({ stdout: 'bye\n', exitCode: 7, signal: null });
  });

  it('has numpy and sympy', async () => {
    const r = await sandbox.run({
      code: 'import numpy as np, sympy as sp\nprint(int(np.arange(5).sum()), sp.factor("x**2 - 1"))',
    });
    expect(r.stdout).toBe('10 (x - 1)*(x + 1)\n');
  });

  it('bounds concurrent runs to the pool size', async () => {
    const one = createSandbox({ concurrency: 1 });
    try {
      // Each run notes when it began and ended (ns); with one slot the runs never overlap. Order, not speed.
      const code = 'import time; a = time.time_ns(); time.sleep(0.2); print(a, time.time_ns())';
      const runs = await Promise.all([0, 1, 2].map(() => one.run({ code })));
      expect(runs.every((r) => r.exitCode === 0)).toBe(true);
      const spans = runs
        .map((r) => r.stdout.trim().split(' ').map(BigInt))
        .sort((x, y) => (x[0] < y[0] ? -1 : 1));
      for (let i = 1; i < spans.length; i++) expect(spans[i][0] >= spans[i - 1][1]).toBe(true);
    } finally {
      await one.close();
    }
  });

  it('rejects a request without code, and bad options at construction', async () => {
    await expect(sandbox.run({ cells: [] })).rejects.toThrow(/cells/);
    expect(() => createSandbox({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createSandbox({ python: '/nonexistent/python3' })).toThrow(/does not exist/);
  });
});

describe('sandbox.runTests', () => {
  it('runs a stdin/stdout program once per input, in a fresh process each time', async () => {
    const t = await sandbox.runTests({
      code: 'import sys\ncount = globals().setdefault("count", 0) + 1\nprint(sum(map(int, sys.stdin.read().split())), count)',
      inputs: ['1 2', '3 4\n5', ''],
    });
    expect(t.compileError).toBeNull();
    expect(t.results.map((r) => r.stdout)).toEqual(['3 1\n', '12 1\n', '0 1\n']);
  });

  it('reports timeouts, runtime errors and compile errors per test', async () => {
    const t = await sandbox.runTests({
      code: 'n = int(input())\nif n == 1:\n    while True: pass\nprint(10 // n)',
      inputs: ['2', '1', '0'],
      perTestTimeoutMs: 500,
    });
    expect(t.results.map((r) => [r.timedOut, r.exitCode, r.stdout])).toEqual([
      [false, 0, '5\n'],
      [true, null, ''],
      [false, 1, ''],
    ]);
    expect(t.results[2].stderr).toContain('ZeroDivisionError');
    const bad = await sandbox.runTests({ code: 'def f(:', inputs: ['1'] });
    expect(bad.compileError).toMatch(/SyntaxError/);
    expect(bad.results).toEqual([]);
  });

  it('calls an entry point (function or Solution method) with JSON arguments', async () => {
    const t = await sandbox.runTests({
      code: 'class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n        for i, n in enumerate(nums):\n            if target - n in seen: return (seen[target - n], i)\n            seen[n] = i',
      inputs: ['[[2, 7, 11, 15], 9]', '[[3, 3], 6]'],
      entryPoint: 'twoSum',
    });
    expect(t.results.map((r) => r.returned)).toEqual(['[0, 1]', '[0, 1]']);
  });

  it('stops when onResult returns false', async () => {
    const seen: TestRunResult[] = [];
    const t = await sandbox.runTests({
      code: 'print(input())',
      inputs: ['a', 'b', 'c', 'd'],
      onResult: (r) => {
        seen.push(r);
        return r.stdout !== 'b\n';
      },
    });
    expect(t.stopped).toBe(true);
    expect(seen.map((r) => r.stdout)).toEqual(['a\n', 'b\n']);
  });

  it('a test program cannot forge the results of later tests', async () => {
    // The child tries to write a fake result line into the runner's result stream: through /proc and by
    // stealing the runner's descriptors with pidfd_getfd (syscall 438 on x86-64, 438 on arm64 too).
    const t = await sandbox.runTests({
      code: `
import os, json, ctypes
line = (json.dumps({"index": 1, "exitCode": 0, "signal": None, "timedOut": False, "stdout": "FORGED", "stderr": "",
                    "returned": None, "outputTruncated": False, "durationMs": 1}) + "\\n").encode()
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(os.getppid())
for target in range(0, 10):
    try:
        fd = os.open('/proc/%d/fd/%d' % (os.getppid(), target), os.O_WRONLY)
        os.write(fd, line)
    except OSError:
        pass
    fd = libc.syscall(438, pidfd, target, 0)
    if fd >= 0:
        try:
            os.write(fd, line)
        except OSError:
            pass
print(input())
`,
      inputs: ['x', 'y'],
    });
    expect(t.error).toBeNull();
    expect(t.results.map((r) => r.stdout)).toEqual(['x\n', 'y\n']);
  });
});

describe('sandbox.checkSyntax', () => {
  it('marks code that does not parse, with the line', async () => {
    expect(await sandbox.checkSyntax('x = 1\nprint(x)')).toEqual({ ok: true, error: null, line: null });
    const bad = await sandbox.checkSyntax('x = 1\ndef f(:\n    pass');
    expect(bad).toMatchObject({ ok: false, line: 2 });
    expect(bad.error).toMatch(/SyntaxError/);
    const deep = await sandbox.checkSyntax(`${'('.repeat(5000)}1${')'.repeat(5000)}`);
    expect(deep.ok).toBe(false);
  });
});

describe('arboretum exec', () => {
  const run = promisify(execFile);
  it('prints one JSON object with the outcome and the output cap', async () => {
    const file = join(dir, 'prog.py');
    const input = join(dir, 'in.txt');
    writeFileSync(file, 'import sys\nprint(sys.stdin.read().upper(), end="")\nsys.exit(3)\n');
    writeFileSync(input, 'abc');
    const { stdout } = await run('node', [
      'bin/arboretum.js',
      'exec',
      file,
      '--stdin',
      input,
      '--timeout-ms',
      '5000',
    ]);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({
      stdout: 'ABC',
      exitCode: 3,
      timedOut: false,
      outputTruncated: false,
      mode: 'bwrap',
    });
    expect(r.outputLimitBytes).toBeGreaterThan(0);
    const loop = join(dir, 'loop.py');
    writeFileSync(loop, 'while True: pass\n');
    const t = JSON.parse(
      (await run('node', ['bin/arboretum.js', 'exec', loop, '--timeout-ms', '500'])).stdout,
    );
    expect(t).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    await expect(run('node', ['bin/arboretum.js', 'exec', join(dir, 'missing.py')])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing.py'),
    });
  });
});
