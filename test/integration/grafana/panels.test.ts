// Every query of the shipped Grafana dashboards, run the way Grafana would run it against a
// real Prometheus that scrapes a running daemon and a synthetic Istio mesh: each panel
// target, variable query and annotation query must parse and draw something (a series with
// at least one finite value). The few panels that cannot have data here are listed below
// with the reason; they must still parse.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../../harness/index.js';
import { loadScale } from '../../../simulator/local/wait-for.js';
import { startMetricsTarget, type MetricsTarget } from '../../../simulator/metrics-target.js';
import type { DeploymentView } from '../../../simulator/istio-metrics.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { startDaemon, type Daemon } from '../../../src/app/index.js';
import { parseDuration } from '../../../src/checks/duration.js';
import type { DisruptionRunner } from '../../../src/disruption/types.js';
import {
  annotationEvents,
  annotationQueries,
  type AnnotationEvent,
  defaultValue,
  panelQueries,
  parseLabelValues,
  substitute,
  variableOptions,
  variableQuery,
  type Dashboard,
} from './dashboard-queries.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const dashboardsDir = join(root, 'grafana', 'dashboards');
const dashboards = readdirSync(dashboardsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, json: JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard }));

/** "dashboard title / panel title" → why it has no data in this setup. Keep it short. */
const NO_DATA_HERE: Record<string, string> = {
  'mesh-soak / Daemon / Kubernetes API errors':
    'the in-process daemon runs a stub DisruptionRunner and makes no Kubernetes calls, so kube_requests_total has no series',
  'mesh-soak / Daemon / Kubernetes API requests': 'same: no Kubernetes calls without a cluster',
  'mesh-soak / Benchmark / Regression checks (change over baseline, %)': 'no benchmark suite is configured in this daemon, so no bench-* check records',
};

const HTTP10 = 'istio-stability-http10';
const GRACEFUL = 'istio-stability-graceful-shutdown';
const TOKEN = 'panels-token';

// The mesh as kube-state-metrics would list it: the two suites' workloads and istiod.
const view = async (): Promise<DeploymentView[]> => [
  { namespace: HTTP10, name: 'fortio-server', replicas: 1, available: 1, rolling: false, pods: ['fortio-server-7d9f-a1'] },
  { namespace: HTTP10, name: 'fortio-client', replicas: 1, available: 1, rolling: false, pods: ['fortio-client-5c4b-b2'] },
  { namespace: GRACEFUL, name: 'httpbin', replicas: 2, available: 2, rolling: false, pods: ['httpbin-6f8d-c3', 'httpbin-6f8d-d4'] },
  { namespace: GRACEFUL, name: 'fortio-client', replicas: 2, available: 2, rolling: false, pods: ['fortio-client-8a2e-e5', 'fortio-client-8a2e-f6'] },
  { namespace: 'istio-system', name: 'istiod', replicas: 1, available: 1, rolling: false, pods: ['istiod-9b1c-g7'] },
];

let redis: RunningRedis | undefined;
let prom: RunningPrometheus | undefined;
let mesh: MetricsTarget | undefined;
let latency: SyntheticTarget | undefined;
let latencyTimer: NodeJS.Timeout | undefined;
let hook: Server | undefined;
let daemon: Daemon | undefined;
/** Each disruption the runner ran: its suite, window (ms) and outcome. */
const disruptionsRun: Array<{ suite: string; startedAt: number; endedAt: number; outcome: 'success' | 'failure' }> = [];
/** How long a disruption breaks the suite: longer than the running band's 5 s step, so a scrape sees it. */
const DISRUPTION_MS = 8000;

/**
 * A disruption that hurts: the suite's server answers 5xx while it runs (its 5xx checks fail),
 * then the fault ends and the checks recover once their 1m rate windows pass. The first run
 * succeeds, the second reports a failed step, so the bands carry both outcomes.
 */
const runner: DisruptionRunner = {
  async run(suite, job) {
    const startedAt = Date.now();
    await job.onStarted?.(startedAt);
    mesh!.model.setFault(suite.namespace, '5xx', true);
    await new Promise((r) => setTimeout(r, DISRUPTION_MS));
    mesh!.model.setFault(suite.namespace, '5xx', false);
    const outcome = disruptionsRun.length === 0 ? 'success' : 'failure';
    disruptionsRun.push({ suite: suite.name, startedAt, endedAt: Date.now(), outcome });
    return outcome === 'success' ? { outcome } : { outcome, message: 'a step failed (on purpose)' };
  },
  async restorePending() {
    return 0;
  },
};

/**
 * istio_request_duration_milliseconds as Envoy reports it (the mesh model emits no latency
 * histogram): 10 requests/s per namespace, most under 25 ms, a tail up to 250 ms.
 */
function startLatencyFeed(target: SyntheticTarget): NodeJS.Timeout {
  const started = Date.now();
  const share: Array<[string, number]> = [
    ['5', 0.2],
    ['10', 0.5],
    ['25', 0.8],
    ['50', 0.9],
    ['100', 0.97],
    ['250', 1],
    ['+Inf', 1],
  ];
  const publish = (): void => {
    const n = Math.floor(((Date.now() - started) / 1000) * 10);
    for (const ns of [HTTP10, GRACEFUL]) {
      const l = { reporter: 'destination', destination_service_namespace: ns, destination_workload: ns === HTTP10 ? 'fortio-server' : 'httpbin' };
      for (const [le, f] of share) target.set('istio_request_duration_milliseconds_bucket', { ...l, le }, Math.floor(n * f));
      target.set('istio_request_duration_milliseconds_count', l, n);
      target.set('istio_request_duration_milliseconds_sum', l, n * 18);
    }
  };
  publish();
  const timer = setInterval(publish, 250);
  timer.unref();
  return timer;
}

/**
 * What a daemon with stored benchmark runs exports (src/telemetry/bench-metrics.ts): two
 * Istio versions × modes both and baseline × two connection counts, one qps.
 */
function publishBenchResults(target: SyntheticTarget): void {
  for (const [istio_version, slow] of [['1.24.0', 1], ['1.25.0', 1.3]] as const) {
    for (const mode of ['both', 'baseline']) {
      for (const connections of ['2', '8']) {
        const l = { suite: 'benchmark', istio_version, mode, connections, qps: '1000', payload: '1024' };
        const base = (mode === 'both' ? 1800 * slow : 600) * (connections === '8' ? 1.5 : 1);
        for (const [stat, k] of [['min', 0.4], ['avg', 1.1], ['p50', 1], ['p75', 1.3], ['p90', 1.7], ['p99', 2.6], ['p999', 4.2], ['max', 6]] as const) {
          target.set('mesh_soak_bench_latency_microseconds', { ...l, stat }, Math.round(base * k));
        }
        target.set('mesh_soak_bench_actual_qps', l, 999);
        target.set('mesh_soak_bench_error_percent', l, 0);
        for (const component of ['istio_proxy_fortioclient', 'istio_proxy_fortioserver', 'discovery']) {
          target.set('mesh_soak_bench_cpu_millicores', { ...l, component }, mode === 'both' || component === 'discovery' ? 600 : 3);
          target.set('mesh_soak_bench_memory_mib', { ...l, component }, 50);
        }
      }
    }
  }
}

async function promGet(path: string, params: Record<string, string | string[]>): Promise<{ status: string; error?: string; data?: unknown }> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const res = await fetch(`${prom!.url}${path}?${qs}`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as { status: string; error?: string; data?: unknown };
}

interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

async function rangeQuery(expr: string, stepS = 5): Promise<{ status: string; error?: string; series: RangeSeries[] }> {
  const end = Date.now() / 1000;
  const body = await promGet('/api/v1/query_range', { query: expr, start: String(end - 300), end: String(end), step: String(stepS) });
  const data = body.data as { result?: RangeSeries[] } | undefined;
  return { status: body.status, ...(body.error ? { error: body.error } : {}), series: data?.result ?? [] };
}

async function instant(expr: string): Promise<number | undefined> {
  const body = await promGet('/api/v1/query', { query: expr });
  const v = (body.data as { result?: Array<{ value: [number, string] }> } | undefined)?.result?.[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

function finiteCount(series: RangeSeries[]): number {
  return series.reduce((n, s) => n + s.values.filter(([, v]) => Number.isFinite(Number(v))).length, 0);
}

async function trigger(suite: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${daemon!.port}/api/v1/suites/${suite}/trigger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status, `trigger ${suite}`).toBe(202);
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
  const webhookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

  mesh = await startMetricsTarget({ view });
  // http10 without PILOT_HTTP10: its server answers 5xx, so one check fails and alerts.
  mesh.model.setFault(HTTP10, '5xx', true);
  latency = await startSyntheticTarget();
  latencyTimer = startLatencyFeed(latency);
  publishBenchResults(latency);
  redis = await startRedis();
  const daemonPort = await freePort();
  prom = await startPrometheus({
    scrapeTargets: [mesh.hostPort, latency.hostPort],
    scrapeJobs: { 'mesh-soak': [`127.0.0.1:${daemonPort}`] },
    scrapeIntervalS: 1,
  });
  const config = await loadConfig(join(root, 'test', 'fixtures', 'grafana', 'config.yaml'), {
    env: { PROMETHEUS_URL: prom.url, REDIS_URL: redis.url, WEBHOOK_URL: webhookUrl },
  });
  daemon = await startDaemon(config, {
    logger: pino({ level: 'silent' }),
    prefix: `grafana-${process.pid}-${Date.now()}`,
    port: daemonPort,
    host: '127.0.0.1',
    adminToken: () => TOKEN,
    disruptions: runner,
  });
  await daemon.scheduled;

  // Two disruptions a few scrapes apart: a counter that only ever had one value shows no
  // change to increase() or changes(), as with a real first disruption.
  const disruptions = async (): Promise<number> => (await instant('sum(mesh_soak_disruptions_total{suite="graceful-shutdown"})')) ?? 0;
  await trigger('graceful-shutdown');
  await waitFor(async () => (await disruptions()) >= 1, { timeoutMs: 60_000, what: 'first disruption scraped' });
  await trigger('graceful-shutdown');
  await waitFor(async () => (await disruptions()) >= 2, { timeoutMs: 60_000, what: 'second disruption scraped' });
  await waitFor(async () => (await instant('max(mesh_soak_check_failing{suite="http10",check="5xx-rate"})')) === 1, {
    timeoutMs: 90_000,
    what: 'http10 5xx-rate failing in Prometheus',
  });
  await waitFor(async () => (await instant('sum(mesh_soak_notifications_total)')) !== undefined, {
    timeoutMs: 60_000,
    what: 'a notification counted',
  });
  // The disruptions' impact judged: the suite recovered once its checks' 1m windows passed.
  await waitFor(async () => ((await instant('sum(mesh_soak_recovery_seconds_count{suite="graceful-shutdown"})')) ?? 0) >= 2, {
    timeoutMs: 180_000,
    what: 'both disruptions recovered (recovery_seconds observed)',
    seen: async () => {
      const body = await promGet('/api/v1/query', { query: 'mesh_soak_check_state{suite=~"graceful-shutdown|mesh"} == 1' });
      return ((body.data as { result?: RangeSeries[] } | undefined)?.result ?? []).map((x) => `${x.metric.check}=${x.metric.state}`);
    },
  });
  // The bands are drawn once their disruption ended: a sweep over the next 60 s + one step (15 s) + its length.
  const lastEnd = Math.max(...disruptionsRun.map((d) => d.endedAt));
  await waitFor(async () => Date.now() > lastEnd + 60_000 + 15_000 + DISRUPTION_MS + 5000, {
    timeoutMs: 120_000,
    what: 'the last band swept',
  });
  // Enough scrapes of everything for rate() over the whole window of the last points.
  await waitFor(async () => ((await instant('min(count_over_time(up[1m]))')) ?? 0) >= 8, { timeoutMs: 90_000, what: '8 scrapes of every target' });
}, 900_000 * loadScale());

afterAll(async () => {
  clearInterval(latencyTimer);
  await daemon?.stop();
  await prom?.stop();
  await redis?.stop();
  await mesh?.stop();
  await latency?.stop();
  if (hook) await new Promise<void>((r) => hook!.close(() => r()));
});

// Variable values per dashboard, resolved once from Prometheus as Grafana would on load.
const resolved = new Map<string, Promise<{ values: Record<string, string>; options: Record<string, string[]> }>>();
function variablesOf(d: Dashboard): Promise<{ values: Record<string, string>; options: Record<string, string[]> }> {
  let p = resolved.get(d.title);
  if (!p) {
    p = (async () => {
      const values: Record<string, string> = { datasource: 'prometheus' };
      const options: Record<string, string[]> = {};
      for (const v of d.templating?.list ?? []) {
        const q = variableQuery(v);
        if (q === undefined) continue;
        const { label, match } = parseLabelValues(substitute(q, values));
        const end = Date.now() / 1000;
        const body = await promGet(`/api/v1/label/${label}/values`, {
          ...(match ? { 'match[]': match } : {}),
          start: String(end - 300),
          end: String(end),
        });
        expect(body.status, `${d.title}: variable $${v.name} (${q}): ${body.error ?? ''}`).toBe('success');
        const opts = variableOptions(v, (body.data as string[] | undefined) ?? []);
        expect(opts.length, `${d.title}: variable $${v.name} (${q}) offers no value`).toBeGreaterThan(0);
        options[v.name] = opts;
        const value = defaultValue(v, opts);
        if (value !== undefined) values[v.name] = value;
      }
      return { values, options };
    })();
    resolved.set(d.title, p);
  }
  return p;
}

for (const { file, json } of dashboards) {
  describe(file, () => {
    it(`${json.title}: every templating variable offers values`, async () => {
      const { options } = await variablesOf(json);
      for (const v of json.templating?.list ?? []) {
        if (variableQuery(v) !== undefined) expect(options[v.name], `${json.title}: $${v.name}`).toBeDefined();
      }
    });

    for (const panel of panelQueries(json)) {
      const allowed = NO_DATA_HERE[panel.name];
      it(`${panel.name}${allowed ? ' (parses; no data here)' : ''}`, async () => {
        const { values, options } = await variablesOf(json);
        // A repeated panel is drawn once per value of its variable, each with that one value.
        const each = panel.repeat ? (options[panel.repeat] ?? []) : [undefined];
        expect(each.length, `${panel.name}: repeat variable $${panel.repeat ?? ''} has no values`).toBeGreaterThan(0);
        for (const one of each) {
          const copy = one !== undefined ? ` [${panel.repeat ?? ''}=${one}]` : '';
          let finite = 0;
          for (const t of panel.targets) {
            const expr = substitute(t.expr, panel.repeat && one !== undefined ? { ...values, [panel.repeat]: one } : values);
            const r = await rangeQuery(expr);
            const what = `${panel.name}${copy} / ${t.refId}: ${expr}`;
            expect(r.status, `${what}: ${r.error ?? ''}`).toBe('success');
            if (allowed) continue;
            expect(r.series.length, `${what} returned no series`).toBeGreaterThan(0);
            finite += finiteCount(r.series);
          }
          // A series of only NaN (a check with no data has no value) draws nothing; the panel
          // as a whole must draw something.
          if (!allowed) expect(finite, `${panel.name}${copy}: every target returned only NaN/Inf, the panel would be empty`).toBeGreaterThan(0);
        }
      });
    }

    for (const a of annotationQueries(json)) {
      it(a.name, async () => {
        const { values } = await variablesOf(json);
        const expr = substitute(a.expr, values);
        // The annotation's step is Grafana's minimum step for it.
        const stepMs = a.step ? parseDuration(a.step) : 15_000;
        if (typeof stepMs !== 'number') throw new Error(`${a.name}: step ${a.step ?? ''}: ${stepMs.error}`);
        const r = await rangeQuery(expr, stepMs / 1000);
        expect(r.status, `${a.name}: ${expr}: ${r.error ?? ''}`).toBe('success');
        expect(r.series.length, `${a.name}: ${expr}: no disruption marker although two disruptions ran`).toBeGreaterThan(0);
        const events = annotationEvents(a.annotation, r.series, stepMs);
        expect(events.length, `${a.name}: no event drawn`).toBeGreaterThan(0);
        if (a.annotation.useValueForTime) expectBands(a.name, events);
      });
    }
  });
}

/** Each disruption the runner ran is one band from its start to its end, tagged with its suite and outcome. */
function expectBands(name: string, events: AnnotationEvent[]): void {
  for (const d of disruptionsRun) {
    const band = events.find((e) => e.tags.includes(d.suite) && e.tags.includes(d.outcome) && Math.abs(e.time - d.startedAt) <= 5);
    expect(band, `${name}: no band starting at ${d.startedAt} for ${d.suite} ${d.outcome}: ${JSON.stringify(events)}`).toBeDefined();
    // The daemon stamps the end as the runner returns: within a second of the runner's own clock.
    expect(Math.abs((band?.timeEnd ?? 0) - d.endedAt), `${name}: band end`).toBeLessThan(1000);
    expect(band?.title).toContain(d.outcome);
  }
}

it('the disruptions seen by the panels are the ones the stub runner ran', () => {
  expect(disruptionsRun.filter((d) => d.suite === 'graceful-shutdown').map((d) => d.outcome)).toEqual(['success', 'failure']);
});
