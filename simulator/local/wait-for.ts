// Bounded polling: the one way tests wait for something to become true. A wait that gives
// up says what it waited for, how long, how many times it looked, and what it last saw
// (the `seen` callback's answer, or the probe's last error), so a slow machine's failure
// reads as a reason rather than a bare timeout.
//
// Deadlines stretch with the machine's load (loadScale): on a 2-core box with a load average
// of 8 a wait gets up to 4× its timeout, so a CPU-heavy neighbour slows a test, never fails it.
// MESH_SOAK_TEST_TIME_SCALE sets the factor outright.

import { cpus, loadavg } from 'node:os';

/** 1 on an idle machine, up to 4 under load: the run-queue length per core, or the env's factor. */
export function loadScale(env: NodeJS.ProcessEnv = process.env): number {
  const fixed = Number(env.MESH_SOAK_TEST_TIME_SCALE);
  if (Number.isFinite(fixed) && fixed > 0) return fixed;
  const perCore = (loadavg()[0] ?? 0) / Math.max(1, cpus().length);
  return Math.min(4, Math.max(1, perCore));
}

/**
 * A bound given in idle-machine milliseconds, stretched like waitFor's deadlines: per-test
 * timeouts, child-process timeouts and browser waits use it, so load slows a test, never fails it.
 */
export function scaledMs(ms: number, env: NodeJS.ProcessEnv = process.env): number {
  return Math.round(ms * loadScale(env));
}

export interface WaitForOptions {
  /** Give up after this long. Be generous: a loaded 2-core CI box is several times slower. */
  timeoutMs: number;
  /** Pause between attempts; default 100 ms. */
  intervalMs?: number;
  /** What we are waiting for, named in the error on timeout. */
  what: string;
  /** What the condition looked like at the last attempt, for the timeout message. */
  seen?: () => unknown;
}

async function describeSeen(seen: WaitForOptions['seen']): Promise<string> {
  if (!seen) return '';
  try {
    const v = await Promise.resolve(seen());
    return `; last saw: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 2000);
  } catch (err) {
    return `; last saw: (failed: ${err instanceof Error ? err.message : String(err)})`;
  }
}

/** Polls fn until it returns true; a throwing fn counts as false (its last error is reported). */
export async function waitFor(fn: () => Promise<boolean> | boolean, options: WaitForOptions): Promise<void> {
  const interval = options.intervalMs ?? 100;
  const timeoutMs = Math.round(options.timeoutMs * loadScale());
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // Also bound the attempt count, in case the clock misbehaves.
  const maxAttempts = Math.ceil(timeoutMs / Math.max(interval, 1)) + 2;
  let attempts = 0;
  for (; attempts < maxAttempts; ) {
    attempts++;
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
  throw new Error(`timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${options.what}${why}${await describeSeen(options.seen)}`);
}
