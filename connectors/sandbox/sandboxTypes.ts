/** One execution of a branch: the ordered code cells so far; only the last cell's output is reported. */
export interface ExecRequest {
  /** The branch's cells in order; earlier cells are re-run silently (stdin from /dev/null, output discarded). */
  readonly cells?: readonly string[];
  /** Shorthand for `cells: [code]`. */
  readonly code?: string;
  /** Standard input of the last cell (UTF-8); empty by default. */
  readonly stdin?: string;
  /** Wall-clock limit for the whole run, ms; the sandbox default when absent. */
  readonly timeoutMs?: number;
  /** Address-space limit per process, MiB; the sandbox default when absent. */
  readonly memoryMb?: number;
}

/** What a run did. `exitCode` is null when the program was killed by a signal (then `signal` names it). */
export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The wall-clock timeout fired and the whole process tree was killed. */
  readonly timedOut: boolean;
  /** The program ran out of its memory limit (MemoryError or an allocation failure). */
  readonly memoryExceeded: boolean;
  /** stdout or stderr went past `outputLimitBytes`; the program was killed and the output cut there. */
  readonly outputTruncated: boolean;
  readonly durationMs: number;
}

/** A program run against many inputs, one fresh process (fork) per input, in one sandbox. */
export interface TestsRequest {
  readonly code: string;
  /** stdin of each test; with `entryPoint`, a JSON array of arguments (or one JSON value). */
  readonly inputs: readonly string[];
  /** Function (or `Solution` method) to call instead of reading stdin; its return value comes back as JSON. */
  readonly entryPoint?: string | null;
  /**
   * How each input is used (default: `call` with an entry point, else `stdio`). `assert`: each input is a
   * Python test program (HumanEval's `check(candidate)` + call, MBPP assert lines) run after the solution in
   * its namespace (`__name__` is not `__main__`, stdin is empty); the test passes when it runs to its end.
   */
  readonly testKind?: 'stdio' | 'call' | 'assert' | null;
  /** Wall-clock limit per test, ms (default 4000). */
  readonly perTestTimeoutMs?: number;
  /** Wall-clock limit for all tests together, ms (default perTestTimeoutMs × inputs + 5000, at most 300000). */
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  /** Called as each test finishes; return false to stop (the remaining tests are not run). */
  readonly onResult?: (result: TestRunResult) => boolean | undefined;
}

export interface TestRunResult {
  readonly index: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  /** The last 8 KiB at most. */
  readonly stderr: string;
  /** JSON text of the entry point's return value (entry-point tests only). */
  readonly returned: string | null;
  /** Assert tests: the test program ran to its end (false when the solution exited early); null otherwise. */
  readonly completed?: boolean | null;
  readonly outputTruncated: boolean;
  readonly durationMs: number;
}

export interface TestsOutcome {
  /** The program does not compile: the SyntaxError text; no test was run. */
  readonly compileError: string | null;
  /** Results of the tests that ran, in order. */
  readonly results: readonly TestRunResult[];
  /** onResult asked to stop. */
  readonly stopped: boolean;
  /** The overall timeout fired. */
  readonly timedOut: boolean;
  /** The sandbox itself failed (runner crashed, killed by a limit): stderr of the run. */
  readonly error: string | null;
  readonly durationMs: number;
}

/** A Python syntax check (the paper drops actions whose code fails it). */
export interface SyntaxCheck {
  readonly ok: boolean;
  /** e.g. `SyntaxError: invalid syntax`, or `timeout`. */
  readonly error: string | null;
  readonly line: number | null;
}

/** The environment: untrusted Python under bubblewrap, bounded to `concurrency` runs at a time. */
export interface Sandbox {
  /** Runs a branch's cells; never rejects for anything the program does (only for a sandbox failure). */
  run(request: ExecRequest): Promise<ExecResult>;
  /** Runs a program against test inputs (one process per input). */
  runTests(request: TestsRequest): Promise<TestsOutcome>;
  /** Python syntax check of `code` in a long-lived sandboxed worker (5 s limit, then `{ok:false, error:'timeout'}`). */
  checkSyntax(code: string): Promise<SyntaxCheck>;
  /** 'bwrap' when isolated, 'unsafe' when running without isolation (explicit opt-in). */
  readonly mode: 'bwrap' | 'unsafe';
  /** Kills what is still running and removes the sandbox's files. */
  close(): Promise<void>;
}
