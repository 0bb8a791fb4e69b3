// The benchmark's scrape target in a process of its own, so serving 4501 series every
// second does not land on the measured process' event loop or CPU time. Prints
// `READY host:port` on stdout once listening; exits when stdin closes (its parent died).

import { startSyntheticTarget } from '../test/harness/index.js';
import { updateSeries } from './istio-series.js';

const MAX_LIFETIME_MS = 15 * 60_000;

async function main(): Promise<void> {
  const target = await startSyntheticTarget();
  const t0 = Date.now();
  updateSeries(target, 0);
  const feeder = setInterval(() => updateSeries(target, (Date.now() - t0) / 1000), 500);
  const stop = (): void => {
    clearInterval(feeder);
    void target.stop().finally(() => process.exit(0));
  };
  // Bounded even if nobody tells us to stop.
  setTimeout(stop, MAX_LIFETIME_MS).unref();
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.stdout.write(`READY ${target.hostPort}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
