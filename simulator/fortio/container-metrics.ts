// The cAdvisor series a benchmark reads (container_cpu_usage_seconds_total, a counter, and
// container_memory_usage_bytes) for the simulated twopods set-up, istiod and the ingress
// gateway, driven by the Fortio simulator's current load through model.ts. Written into any
// scrape target with set(name, labels, value), advanced on a timer.

import type { FortioSim } from './fortio-api.js';
import { usage } from './model.js';

export interface SeriesSink {
  set(name: string, labels: Record<string, string>, value: number): void;
}

const CONTAINERS: Record<string, { pod: string; container: string; istio?: boolean }> = {
  istio_proxy_fortioclient: { pod: 'fortioclient-6d4b-sim', container: 'istio-proxy' },
  istio_proxy_fortioserver: { pod: 'fortioserver-7f9c-sim', container: 'istio-proxy' },
  'istio_proxy_istio-ingressgateway': { pod: 'istio-ingressgateway-5b8d-sim', container: 'istio-proxy', istio: true },
  discovery: { pod: 'istiod-66f8-sim', container: 'discovery', istio: true },
  captured_fortioclient: { pod: 'fortioclient-6d4b-sim', container: 'captured' },
  captured_fortioserver: { pod: 'fortioserver-7f9c-sim', container: 'captured' },
  uncaptured_fortioclient: { pod: 'fortioclient-6d4b-sim', container: 'uncaptured' },
  uncaptured_fortioserver: { pod: 'fortioserver-7f9c-sim', container: 'uncaptured' },
};

/** Starts advancing the series every `intervalMs`; answers a function that stops it. */
export function feedContainerMetrics(sim: Pick<FortioSim, 'active' | 'faults'>, sink: SeriesSink, o: { namespace: string; istioNamespace?: string; intervalMs?: number }): () => void {
  const cpuSeconds = new Map<string, number>();
  let last = Date.now();
  const tick = (): void => {
    const now = Date.now();
    const dt = (now - last) / 1000;
    last = now;
    const u = usage(sim.active(), sim.faults);
    for (const [component, c] of Object.entries(CONTAINERS)) {
      const labels = { namespace: c.istio ? (o.istioNamespace ?? 'istio-system') : o.namespace, pod: c.pod, container: c.container };
      const x = u[component] ?? { cpuMilli: 0, memMi: 0 };
      const total = (cpuSeconds.get(component) ?? 0) + (x.cpuMilli / 1000) * dt;
      cpuSeconds.set(component, total);
      sink.set('container_cpu_usage_seconds_total', labels, total);
      sink.set('container_memory_usage_bytes', labels, Math.round(x.memMi * 1048576));
    }
  };
  tick();
  const timer = setInterval(tick, o.intervalMs ?? 250);
  return () => clearInterval(timer);
}
