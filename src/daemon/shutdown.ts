// The daemon's stop, as a table: each step has a name, a close function and a bound. Steps
// run in order; a step that fails or overruns is logged and the next one runs, so stop()
// itself never fails and never hangs past the sum of the bounds.

import type { Logger } from 'pino';
import { withTimeout } from '../shared/time.js';
import { messageOf } from '../shared/errors.js';

export interface ShutdownStep {
  name: string;
  close: () => Promise<unknown> | unknown;
  timeoutMs: number;
}

export async function runShutdown(steps: ShutdownStep[], logger: Logger): Promise<void> {
  for (const step of steps) {
    try {
      const r = await withTimeout(Promise.resolve().then(step.close), step.timeoutMs);
      if (r === 'timeout') logger.warn({ step: step.name, timeoutMs: step.timeoutMs }, 'shutdown step did not finish in time');
    } catch (err) {
      logger.warn({ step: step.name, err: messageOf(err) }, 'shutdown step failed');
    }
  }
}
