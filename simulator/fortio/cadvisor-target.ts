// The simulated pods' cAdvisor series as a Prometheus scrape target: container CPU (a
// counter) and memory of the twopods containers, istiod and the ingress gateway, driven by
// the Fortio simulator's current load (container-metrics.ts), on /metrics in the text
// exposition format. The demo scrapes it beside the Istio metrics target.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { feedContainerMetrics } from './container-metrics.js';
import type { FortioSim } from './fortio-api.js';

export interface CadvisorTarget {
  /** host:port, as a Prometheus scrape target. */
  hostPort: string;
  stop(): Promise<void>;
}

function line(name: string, labels: Record<string, string>, value: number): string {
  const body = Object.keys(labels).sort().map((k) => `${k}="${labels[k] ?? ''}"`).join(',');
  return `${name}{${body}} ${value}`;
}

export async function startCadvisorTarget(sim: Pick<FortioSim, 'active' | 'faults'>, o: { namespace: string; intervalMs?: number }): Promise<CadvisorTarget> {
  const series = new Map<string, string>();
  const stopFeed = feedContainerMetrics(sim, { set: (name, labels, value) => void series.set(line(name, labels, 0), line(name, labels, value)) }, { namespace: o.namespace, intervalMs: o.intervalMs ?? 500 });
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${[...series.values()].join('\n')}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    stop: async () => {
      stopFeed();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
