// Bounded polling: the one way tests wait for something to become true.

export interface WaitForOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Pause between attempts; default 100 ms. */
  intervalMs?: number;
  /** What we are waiting for, named in the error on timeout. */
  what: string;
}

/** Polls fn until it returns true; a throwing fn counts as false (its last error is reported). */
export async function waitFor(fn: () => Promise<boolean> | boolean, options: WaitForOptions): Promise<void> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  // Also bound the attempt count, in case the clock misbehaves.
  const maxAttempts = Math.ceil(options.timeoutMs / Math.max(interval, 1)) + 2;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      if (await fn()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))));
  }
  const why = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${why}`);
}
