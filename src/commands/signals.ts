// SIGTERM/SIGINT → an AbortSignal, for every long-running command. Installed first, so a
// signal while starting still stops gracefully. After the first signal the handlers are
// removed: a second one falls through to Node's default and kills the process — the way
// out of a stuck stop.

export interface StopSignals {
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers (call in finally). */
  dispose(): void;
}

export function onStopSignals(onFirst?: (signal: NodeJS.Signals) => void): StopSignals {
  const abort = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals): void => {
    received ??= sig;
    dispose();
    onFirst?.(sig);
    abort.abort(new Error(`interrupted by ${sig}`));
  };
  const dispose = (): void => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return { signal: abort.signal, received: () => received, dispose };
}

/** Resolves when the signal aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
