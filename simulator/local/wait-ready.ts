// Waiting for a server the harness started: ready when a probe succeeds, failed at once
// when the process dies, and either way the log tail is in the error.

import type { ChildProcess } from 'node:child_process';
import { exited, isRunning, logTail, stopProcess } from './processes.js';
import { waitFor } from './wait-for.js';
import { messageOf } from '../../src/shared/errors.js';

/** Polls probe until true; on timeout or early exit, stops the child and throws with its log tail. */
export async function waitReady(
  child: ChildProcess,
  probe: () => Promise<boolean>,
  options: { what: string; logFile: string; timeoutMs?: number },
): Promise<void> {
  let gaveUp = false;
  // waitFor treats a throwing probe as "not yet", so an early exit is raced separately.
  const died = exited(child).then(() => {
    if (!gaveUp) throw new ExitedEarly(child.exitCode, child.signalCode);
  });
  try {
    await Promise.race([
      waitFor(() => (isRunning(child) ? probe() : false), {
        timeoutMs: options.timeoutMs ?? 30_000,
        intervalMs: 100,
        what: options.what,
      }),
      died,
    ]);
    gaveUp = true;
  } catch (err) {
    gaveUp = true;
    await stopProcess(child, 2000);
    const reason = messageOf(err);
    throw new Error(`${options.what} failed: ${reason}\n--- ${options.logFile} (tail) ---\n${logTail(options.logFile)}`);
  }
}

/** GET url answers 2xx. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

class ExitedEarly extends Error {
  constructor(code: number | null, signal: string | null) {
    super(`process exited early (code ${code}, signal ${signal})`);
  }
}
