// How the simulated benchmark behaves: latency and resource use of a Fortio load as a
// function of mode, connections and qps, plausibly (each sidecar on the path adds latency
// and CPU, more connections and more qps add queueing), and the `bench:slow-proxy` fault
// (the sidecars take twice as long and burn 40 % more CPU). Pure numbers, no I/O.

export type SimMode = 'both' | 'serversidecar' | 'clientsidecar' | 'baseline' | 'ingress';

export interface SimLoad {
  mode: SimMode;
  qps: number;
  connections: number;
  payloadBytes: number;
}

export interface SimFaults {
  slowProxy: boolean;
}

/** Proxies on the request path in each mode. */
export function proxiesOnPath(mode: SimMode): { client: boolean; server: boolean; gateway: boolean } {
  switch (mode) {
    case 'both':
      return { client: true, server: true, gateway: false };
    case 'serversidecar':
      return { client: false, server: true, gateway: false };
    case 'clientsidecar':
      return { client: true, server: false, gateway: false };
    case 'baseline':
      return { client: false, server: false, gateway: false };
    case 'ingress':
      return { client: false, server: true, gateway: true };
  }
}

/** Median latency in seconds. */
export function medianLatencyS(load: SimLoad, faults: SimFaults): number {
  const p = proxiesOnPath(load.mode);
  const hops = Number(p.client) + Number(p.server) + Number(p.gateway);
  const perProxyS = 0.0009 * (faults.slowProxy ? 2 : 1);
  const base = 0.0004 + load.payloadBytes / 1e9;
  const queueing = 1 + load.connections / 64 + load.qps / 20_000;
  return (base + hops * perProxyS) * queueing;
}

/** Percentile → multiple of the median. */
export const PERCENTILE_SHAPE: Array<[number, number]> = [[50, 1], [75, 1.3], [90, 1.7], [99, 2.6], [99.9, 4.2]];

/** CPU millicores and memory MiB of each measured container under the load (idle when none). */
export function usage(load: SimLoad | undefined, faults: SimFaults): Record<string, { cpuMilli: number; memMi: number }> {
  const p = load ? proxiesOnPath(load.mode) : { client: false, server: false, gateway: false };
  const qps = load?.qps ?? 0;
  // About 0.6 vCPU per 1000 rps per proxy, as Istio 1.1's blog measured; 40 % more when slow.
  const proxy = (on: boolean) => ({ cpuMilli: 3 + (on ? 0.6 * qps * (faults.slowProxy ? 1.4 : 1) : 0), memMi: 45 + (on ? qps / 100 : 0) });
  const loadCpu = (qps * 0.15) + 1;
  return {
    istio_proxy_fortioclient: proxy(p.client),
    istio_proxy_fortioserver: proxy(p.server),
    'istio_proxy_istio-ingressgateway': proxy(p.gateway),
    discovery: { cpuMilli: 12, memMi: 180 },
    captured_fortioclient: { cpuMilli: p.client ? loadCpu : 1, memMi: 30 },
    captured_fortioserver: { cpuMilli: p.server ? loadCpu : 1, memMi: 30 },
    uncaptured_fortioclient: { cpuMilli: p.client ? 1 : loadCpu, memMi: 28 },
    uncaptured_fortioserver: { cpuMilli: p.server ? 1 : loadCpu, memMi: 28 },
  };
}
