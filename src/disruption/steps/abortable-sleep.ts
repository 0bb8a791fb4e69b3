// The `sleep` step: a timer that an abort (daemon shutdown, lost lock) ends early with an
// error, so a disruption never outlives the reason it was allowed to run.

export class StepAborted extends Error {
  constructor(message = 'disruption aborted') {
    super(message);
    this.name = 'StepAborted';
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new StepAborted(abortMessage(signal)));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new StepAborted(abortMessage(signal)));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortMessage(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'disruption aborted';
}
