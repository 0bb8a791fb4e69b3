// The `sleep` step: a timer that an abort (daemon shutdown, lost lock) ends early with an
// error, so a disruption never outlives the reason it was allowed to run.

import { sleep } from '../../shared/time.js';

export class StepAborted extends Error {
  constructor(message = 'disruption aborted') {
    super(message);
    this.name = 'StepAborted';
  }
}

export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => {
    throw new StepAborted(abortMessage(signal));
  });
}

function abortMessage(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'disruption aborted';
}
