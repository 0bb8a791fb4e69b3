// Time, in one place: the clock and sleep types that code taking time as an option uses, the
// one abortable sleep and the one timeout helper. Imports nothing; anything may import it.

/** Epoch milliseconds; `Date.now` at the edge, a fixed or stepped clock in tests. */
export type Clock = () => number;

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Resolves after `ms`. An abort (before or during the wait) rejects at once with
 * `signal.reason` and clears the timer, so a long wait never outlives its reason to run.
 */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Settles as `promise` does, or resolves `'timeout'` once `timeoutMs` passed first. The
 * promise itself is not cancelled; its timer is cleared as soon as either side settles.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
