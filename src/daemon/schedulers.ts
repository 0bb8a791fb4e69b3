// Keeps the job schedulers installed: tries at start, retries every retryMs while Redis is
// away, and tries again whenever asked (a Redis that reconnects may have come back empty).
// `installed` resolves once the first attempt succeeds — or when stopped, so nobody awaits
// the schedulers of a stopped daemon forever.

import type { Logger } from 'pino';
import { messageOf } from '../shared/errors.js';

export interface SchedulerKeeper {
  readonly installed: Promise<void>;
  isInstalled(): boolean;
  /** Installs again now (idempotent upserts). */
  reinstall(): void;
  stop(): void;
}

export function keepSchedulersInstalled(
  install: () => Promise<void>,
  o: { retryMs: number; logger: Logger },
): SchedulerKeeper {
  let stopped = false;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let settle: () => void = () => undefined;
  const installed = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const attempt = async (): Promise<void> => {
    if (stopped) return settle();
    clearTimeout(timer);
    try {
      await install();
      done = true;
      settle();
    } catch (err) {
      // stop() may have run while this attempt was waiting on Redis: no timer after it.
      if (stopped) return settle();
      o.logger.warn({ err: messageOf(err) }, 'cannot install job schedulers yet; retrying');
      timer = setTimeout(() => void attempt(), o.retryMs);
    }
  };
  void attempt();
  return {
    installed,
    isInstalled: () => done,
    reinstall: () => void attempt(),
    stop() {
      stopped = true;
      clearTimeout(timer);
      settle();
    },
  };
}
