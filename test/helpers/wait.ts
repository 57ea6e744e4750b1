/**
 * The one way a test waits for something to happen in real time: poll a condition until a
 * deadline, then fail naming what never happened. Used by in-process integration tests and
 * end-to-end tests alike. Code under test that takes a clock or runs on timers is tested
 * with jest's fake timers instead.
 */

export interface WaitOptions {
  /**
   * Give up after this long. The default stays under jest's 5 s test timeout, so a timeout
   * names what was awaited instead of jest's generic one.
   */
  timeoutMs?: number;
  /** Pause between checks. */
  intervalMs?: number;
  /** Appended to the timeout message (e.g. a process's last output). */
  detail?: () => string;
}

/**
 * Resolves as soon as `cond` is true. A check that throws counts as "not yet" (a file not
 * written yet, a port not listening yet); the last error is reported if time runs out.
 */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 4000, intervalMs = 25, detail } = opts;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= end) break;
    // The poll interval itself: the only timer a waiting test needs.
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const last = lastError === undefined ? '' : ` (last check threw: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}${detail ? `\n${detail()}` : ''}`);
}
