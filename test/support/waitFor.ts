/** How long to poll, and what for (named in the failure). */
export interface WaitForOptions {
  /** What the test waits for, as the failure message says it: "2 requests on the server". */
  readonly what: string;
  /**
   * Give up after this many ms (default 30 000). A hang detector, never a speed check: pick a bound far past any
   * run on a loaded machine, because the test fails only when the condition never comes.
   */
  readonly deadlineMs?: number;
  /** Pause between checks in ms (default 10). */
  readonly everyMs?: number;
}

/**
 * Polls `check` until it returns true and fails after the deadline with "timed out after N ms waiting for <what>".
 * A check that throws counts as not yet (so a check may hold expectations, then `return true`); the last error is
 * the failure's cause and is quoted in its message. The one way tests wait for something to happen: no fixed sleeps.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: WaitForOptions,
): Promise<void> {
  const { what, deadlineMs = 30_000, everyMs = 10 } = options;
  const started = Date.now();
  for (;;) {
    let last: unknown;
    try {
      if ((await check()) === true) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() - started > deadlineMs) {
      const why =
        last === undefined ? '' : `; last check: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${why}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
