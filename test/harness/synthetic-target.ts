// A tiny scrape target: /metrics in the text exposition format from an in-memory map, so
// tests can make series appear, change and disappear while Prometheus scrapes it.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SyntheticTarget {
  /** http://127.0.0.1:PORT/metrics */
  url: string;
  /** 127.0.0.1:PORT, for scrapeTargets. */
  hostPort: string;
  /** Creates or updates one series. */
  set(name: string, labels: Record<string, string>, value: number): void;
  /** Removes one series (it goes stale in Prometheus at the next scrape). */
  remove(name: string, labels: Record<string, string>): void;
  stop(): Promise<void>;
}

export async function startSyntheticTarget(): Promise<SyntheticTarget> {
  // Keyed by the exposition line's series part, so output order is insertion order.
  const series = new Map<string, number>();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const parts: string[] = [];
    for (const [key, value] of series) parts.push(`${key} ${formatValue(value)}\n`);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(parts.join(''));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    hostPort: `127.0.0.1:${port}`,
    set(name, labels, value) {
      series.set(seriesKey(name, labels), value);
    },
    remove(name, labels) {
      series.delete(seriesKey(name, labels));
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `name{a="x",b="y"}` with labels sorted and values escaped as the format requires. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return name;
  const body = keys.map((k) => `${k}="${escapeLabel(labels[k] ?? '')}"`).join(',');
  return `${name}{${body}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
