// Bounded polling for end-to-end tests: every wait has a deadline, an attempt cap and a
// message saying what did not happen (plus what was seen instead), so a slow or broken
// stack fails with a reason rather than a vitest timeout. Deadlines stretch with the load
// (scaledMs), as waitFor's do: a CPU-heavy neighbour slows a test, never fails it.

import { scaledMs } from '../../../simulator/local/wait-for.js';

export interface WaitOptions {
  timeoutMs: number;
  /** Pause between attempts; default 250 ms. */
  intervalMs?: number;
  /** Appended to the timeout message: what the stack looked like when the wait gave up. */
  detail?: () => string | Promise<string>;
}

/** Polls `probe` until it returns something other than undefined/false, and returns that. */
export async function waitUntil<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 250;
  const timeoutMs = scaledMs(options.timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / interval) + 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < maxAttempts && Date.now() <= deadline; attempt++) {
    try {
      const got = await probe();
      if (got !== undefined && got !== false) return got;
      lastError = undefined;
    } catch (err) {
      // A server still starting or briefly busy: keep polling, report it if it lasts.
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
  const detail = options.detail ? await Promise.resolve(options.detail()).catch((e: unknown) => `(detail failed: ${String(e)})`) : '';
  const error = lastError === undefined ? '' : `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${error}${detail ? `\n${detail}` : ''}`);
}
