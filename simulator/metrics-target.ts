// The synthetic Istio metrics target: an HTTP /metrics endpoint on loopback that Prometheus
// scrapes. The model is advanced from the cluster view several times a second, not only at
// scrapes: a rollout shorter than the scrape interval still leaves its trace in the
// counters, as it would in a real mesh. Faults can be
// switched over HTTP too (POST /faults/NAMESPACE/KIND?on=true), so the demo's user can
// break a suite from another terminal.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAULT_KINDS, IstioMetricsModel, type FaultKind } from './istio-metrics.js';
import type { CertificatesView, ClusterView } from './cluster-view.js';
import { messageOf } from '../src/shared/errors.js';

export interface MetricsTarget {
  url: string;
  /** host:port, as a Prometheus scrape target. */
  hostPort: string;
  model: IstioMetricsModel;
  stop(): Promise<void>;
}

export async function startMetricsTarget(options: {
  view: ClusterView;
  /** The cluster's cert-manager Certificates, for cert-manager's metrics; default none. */
  certificates?: CertificatesView;
  port?: number;
  /** How often the model follows the cluster; default 250 ms. */
  updateEveryMs?: number;
  qps?: number;
  now?: () => number;
}): Promise<MetricsTarget> {
  const model = new IstioMetricsModel({ qps: options.qps });
  const now = options.now ?? Date.now;
  let lastError = '';
  let updating = false;
  const follow = () => {
    if (updating) return;
    updating = true;
    Promise.all([options.view(), options.certificates?.() ?? []])
      .then(([deployments, certificates]) => {
        const at = now();
        model.update(deployments, at);
        model.updateCertificates(certificates, at);
        lastError = '';
      })
      .catch((err: unknown) => {
        // The cluster API may be injected with faults; the last known series stay.
        lastError = messageOf(err);
      })
      .finally(() => {
        updating = false;
      });
  };
  const timer = setInterval(follow, options.updateEveryMs ?? 250);
  timer.unref();
  follow();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(model.render());
      return;
    }
    const m = /^\/faults\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && m) {
      const kind = decodeURIComponent(m[2] as string) as FaultKind;
      if (!FAULT_KINDS.includes(kind)) {
        res.writeHead(400).end(`unknown fault "${kind}"; known: ${FAULT_KINDS.join(', ')}\n`);
        return;
      }
      model.setFault(decodeURIComponent(m[1] as string), kind, url.searchParams.get('on') !== 'false');
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/faults') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ faults: model.activeFaults(), lastError }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    model,
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
