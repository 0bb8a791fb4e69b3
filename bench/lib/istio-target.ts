// The synthetic scrape target with bench/istio-series.ts' realistic Istio and cAdvisor
// series, kept moving (counters grow) once a second for as long as the benchmark runs.

import { startSyntheticTarget, type SyntheticTarget } from '../../test/harness/index.js';
import { updateSeries } from '../istio-series.js';

export interface IstioTarget {
  target: SyntheticTarget;
  stop(): Promise<void>;
}

export async function startIstioTarget(): Promise<IstioTarget> {
  const target = await startSyntheticTarget();
  const t0 = Date.now();
  // Start as if traffic had been flowing for 10 minutes, so [10m] rates are full at once.
  const update = () => updateSeries(target, 600 + (Date.now() - t0) / 1000);
  update();
  const feeder = setInterval(update, 1000);
  return {
    target,
    async stop() {
      clearInterval(feeder);
      await target.stop();
    },
  };
}
