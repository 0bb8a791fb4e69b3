// Config and helpers shared by the daemon's integration tests: a one-suite config over a
// synthetic series, built directly as the resolved Config (no YAML loading involved).

import { pino } from 'pino';
import type { CheckSpec, Config, Suite } from '../../../src/config/model.js';
import { parseCondition } from '../../../src/checks/condition.js';
import { waitFor } from '../../harness/index.js';

export function check(name: string, query: string, fail: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  const cond = parseCondition(fail);
  if ('error' in cond) throw new Error(cond.error);
  return {
    name,
    query,
    fail: cond,
    forMs: 0,
    keepFiringForMs: 0,
    noData: 'unknown',
    errorLimit: 3,
    severity: 'critical',
    labels: {},
    ...extra,
  };
}

export function suite(name: string, checks: CheckSpec[], extra: Partial<Suite> = {}): Suite {
  return {
    name,
    description: `test suite ${name}`,
    dir: '/nonexistent',
    namespace: `ns-${name}`,
    params: {},
    manifests: [],
    checks,
    tickMs: 1000,
    enabled: true,
    ...extra,
  };
}

export function config(opts: { prometheusUrl: string; redisUrl: string; suites: Suite[]; checks?: CheckSpec[]; tickMs?: number }): Config {
  return {
    file: 'test.yaml',
    prometheus: { url: opts.prometheusUrl, timeoutMs: 2000, headers: {}, concurrency: 4 },
    redis: { url: opts.redisUrl },
    kubernetes: {},
    tickMs: opts.tickMs ?? 1000,
    http: { port: 0 },
    notify: { webhooks: [] },
    suites: opts.suites,
    checks: opts.checks ?? [],
  };
}

export const quietLogger = pino({ level: 'silent' });

export async function getJson<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface StatusCheck {
  name: string;
  state: string;
  value: number | string | null;
  instances: Array<{ state: string; activeSince: number | null; failingSince: number | null }>;
}
export interface StatusSuite {
  name: string;
  paused: boolean;
  checks: StatusCheck[];
}

export async function checkState(base: string, suiteName: string, checkName: string): Promise<StatusCheck | undefined> {
  const { body } = await getJson<{ suites: StatusSuite[] }>(`${base}/api/v1/status`);
  return body.suites.find((s) => s.name === suiteName)?.checks.find((c) => c.name === checkName);
}

/** Waits (bounded) until /readyz answers 503 with `reason` among its reasons. */
export async function notReadyBecause(base: string, reason: string, timeoutMs = 60_000): Promise<void> {
  let seen: unknown;
  const test = async (): Promise<boolean> => {
    const r = await getJson<{ reasons: string[] }>(`${base}/readyz`);
    seen = r;
    return r.status === 503 && r.body.reasons.includes(reason);
  };
  await waitFor(test, { timeoutMs, intervalMs: 250, what: `/readyz: ${reason}`, seen: () => seen });
}

let seq = 0;
/** A fresh Redis key prefix per daemon family, so tests sharing a Redis never see each other. */
export function uniquePrefix(): string {
  seq += 1;
  return `t${process.pid}-${Date.now()}-${seq}`;
}
