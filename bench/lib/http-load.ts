// A fixed-rate HTTP load on one URL (e.g. the daemon's /metrics at 500 req/s), as a scraper
// fleet or a misbehaving dashboard would send it: requests start on a 10 ms beat whatever
// the answers do, at most `maxInFlight` at once (the rest are counted as shed, never queued
// without bound). stop() ends it and reports what was sent, served and how fast.

import { Agent, fetch } from 'undici';
import { quantile } from './stats.js';

export interface HttpLoadReport {
  rps: number;
  sent: number;
  ok: number;
  failed: number;
  shed: number;
  p50Ms: number;
  p99Ms: number;
}

export interface HttpLoad {
  stop(): Promise<HttpLoadReport>;
}

const BEAT_MS = 10;

export function startHttpLoad(url: string, rps: number, options: { maxInFlight?: number; timeoutMs?: number } = {}): HttpLoad {
  const maxInFlight = options.maxInFlight ?? 64;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const dispatcher = new Agent({ connections: maxInFlight, keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  const counts = { sent: 0, ok: 0, failed: 0, shed: 0 };
  const inFlight = new Set<Promise<void>>();
  let owed = 0;
  const one = (): void => {
    if (inFlight.size >= maxInFlight) return void counts.shed++;
    counts.sent++;
    const t0 = performance.now();
    const p = fetch(url, { dispatcher, signal: AbortSignal.timeout(timeoutMs) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.ok) counts.ok++;
        else counts.failed++;
        latencies.push(performance.now() - t0);
      })
      .catch(() => void counts.failed++)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const timer = setInterval(() => {
    owed += (rps * BEAT_MS) / 1000;
    for (; owed >= 1; owed--) one();
  }, BEAT_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      await dispatcher.close();
      return { rps, ...counts, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
    },
  };
}
