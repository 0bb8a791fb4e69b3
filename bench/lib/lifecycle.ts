// Keeps a benchmark bounded and tidy: everything it starts registers a stop function, run
// in reverse order when the benchmark ends, fails, is interrupted (SIGINT/SIGTERM) or hits
// its watchdog — so no Redis, Prometheus, Alertmanager or daemon outlives it.

export interface Lifecycle {
  /** Registers a stop function; returns the value for chaining. */
  own<T>(value: T, stop: (value: T) => Promise<unknown> | unknown): T;
  /** Runs main, then every stop function; sets the exit code. */
  run(main: () => Promise<void>): Promise<void>;
}

export function lifecycle(name: string, watchdogMs: number): Lifecycle {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (err) {
          console.error(`${name}: cleanup step failed:`, err);
        }
      }
    })();
    return cleaning;
  };
  const bail = (why: string) => {
    console.error(`${name}: ${why}; stopping everything`);
    process.exitCode = 1;
    // A second, hard bound on the cleanup itself.
    setTimeout(() => process.exit(1), 60_000).unref();
    void cleanup().then(() => process.exit(1));
  };
  return {
    own(value, stop) {
      stops.push(() => stop(value));
      return value;
    },
    async run(main) {
      const watchdog = setTimeout(() => bail(`watchdog: still running after ${watchdogMs / 1000} s`), watchdogMs);
      const onSignal = (signal: string) => bail(`got ${signal}`);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await main();
      } catch (err) {
        console.error(`${name}: failed:`, err);
        process.exitCode = 1;
      } finally {
        clearTimeout(watchdog);
        await cleanup();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A positive number from the environment, or the default. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}="${raw}" is not a positive number`);
  return n;
}
