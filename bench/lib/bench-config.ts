// Writes what a benchmark daemon loads: suite folders (suite.yaml, check_metrics-style
// checks templated with {{namespace}}) and a config.yaml using them, in a temp dir. The
// checks read the series bench/istio-series.ts puts on the synthetic target, one suite per
// bench namespace, so they are the checks a user would write for those workloads.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { NAMESPACES, SERVICES } from '../istio-series.js';

export interface BenchCheck {
  name: string;
  query: string;
  fail: string;
  noData?: 'ok' | 'unknown' | 'fail';
  for?: string;
  severity?: 'info' | 'warning' | 'critical';
}

export interface BenchSuite {
  name: string;
  namespace: string;
  guard?: string;
  checks: BenchCheck[];
}

/** The namespace and service names istio-series.ts uses. */
export const benchNamespace = (i: number): string => `bench-ns-${i % NAMESPACES}`;
const svc = (j: number): string => `svc-${j % SERVICES}`;

/**
 * One suite per namespace with `checksPerSuite` checks cycling through check_metrics' five
 * shapes (5xx rate, sanity, Envoy CPU per pod — a vector —, memory peak, error ratio), each
 * on its own service, and the sanity guard check_metrics used as its "running" query.
 * A suite of more checks than a namespace has services goes on into the next namespaces
 * (check j: service j mod SERVICES of namespace i + ⌊j / SERVICES⌋), so every check of a
 * suite is its own expression over series that exist — 500 checks are 500 distinct queries
 * over all 20 namespaces, not 25 queries asked 20 times each.
 */
export function istioSuites(count: number, checksPerSuite: number): BenchSuite[] {
  const suites: BenchSuite[] = [];
  for (let i = 0; i < count; i++) {
    const checks: BenchCheck[] = [];
    for (let j = 0; j < checksPerSuite; j++) {
      const next = Math.floor(j / SERVICES);
      const ns = next === 0 ? '{{namespace}}' : benchNamespace(i + next);
      const sel = `destination_service_namespace="${ns}", destination_service_name="${svc(j)}"`;
      const pods = `container="istio-proxy", namespace="${ns}", pod=~"${svc(j)}-.*"`;
      const base = `${svc(j)}-${j}`;
      switch (j % 5) {
        case 0:
          checks.push({ name: `${base}-5xx`, query: `sum(rate(istio_requests_total{reporter="destination", ${sel}, response_code=~"5.."}[1m]))`, fail: '> 0', noData: 'ok' });
          break;
        case 1:
          checks.push({ name: `${base}-sanity`, query: `sum(rate(istio_requests_total{${sel}}[10m]))`, fail: '< 0.5' });
          break;
        case 2:
          checks.push({ name: `${base}-envoy-cpu`, query: `rate(container_cpu_usage_seconds_total{${pods}}[1m]) * 1000`, fail: '> 50' });
          break;
        case 3:
          checks.push({ name: `${base}-envoy-memory`, query: `max(max_over_time(container_memory_working_set_bytes{${pods}}[1m])) / 1024 / 1024`, fail: '> 64' });
          break;
        default:
          checks.push({
            name: `${base}-error-ratio`,
            query: `sum(rate(istio_requests_total{${sel}, response_code=~"5.."}[1m])) / sum(rate(istio_requests_total{${sel}}[1m]))`,
            fail: '> 0.05',
            noData: 'ok',
          });
      }
    }
    suites.push({
      name: `bench-${i}`,
      namespace: benchNamespace(i),
      guard: 'sum(rate(istio_requests_total{destination_service_namespace="{{namespace}}"}[10m])) > 0.5',
      checks,
    });
  }
  return suites;
}

export interface BenchConfig {
  dir: string;
  prometheusUrl: string;
  redisUrl: string;
  tick: string;
  suites: BenchSuite[];
  /** Mesh-wide checks. */
  checks?: BenchCheck[];
  alertmanagerUrl?: string;
  concurrency?: number;
  /**
   * More than 1: a `clusters:` section of that many simulated clusters (cluster-1…N, no
   * Kubernetes API, each its own Prometheus client on prometheusUrl) with suite i bound to
   * cluster i mod N, so the suite instances are spread over them; absent or 1: no clusters:.
   */
  clusters?: number;
  /** Sets prometheus.recordingRules: {} (the checks read from recorded results). */
  recordingRules?: boolean;
}

/** A suite's queries as Prometheus sees them: the guard and every check, namespace filled in. */
export function suiteExpressions(s: BenchSuite): string[] {
  return [s.guard ?? '', ...s.checks.map((c) => c.query)].filter((q) => q !== '').map((q) => q.replaceAll('{{namespace}}', s.namespace));
}

/** The cluster names writeBenchConfig uses for `clusters` > 1. */
export const benchClusterName = (i: number): string => `cluster-${i + 1}`;

/** Writes suites/<name>/suite.yaml and config.yaml under dir; returns the config's path. */
export async function writeBenchConfig(c: BenchConfig): Promise<string> {
  for (const s of c.suites) {
    const dir = join(c.dir, 'suites', s.name);
    await mkdir(dir, { recursive: true });
    const suite = {
      name: s.name,
      description: `benchmark suite over ${s.namespace}`,
      namespace: s.namespace,
      ...(s.guard ? { guard: s.guard } : {}),
      checks: s.checks,
    };
    await writeFile(join(dir, 'suite.yaml'), stringify(suite));
  }
  const prometheus = { url: c.prometheusUrl, timeout: '5s', concurrency: c.concurrency ?? 16, ...(c.recordingRules ? { recordingRules: {} } : {}) };
  const n = c.clusters ?? 1;
  const clusters = n > 1 ? { clusters: Array.from({ length: n }, (_, i) => ({ name: benchClusterName(i), prometheus })) } : { prometheus };
  const config = {
    ...clusters,
    redis: { url: c.redisUrl },
    tick: c.tick,
    // The bench entry listens on an ephemeral loopback port whatever this says.
    http: { port: 9464 },
    ...(c.alertmanagerUrl ? { notify: { alertmanager: { url: c.alertmanagerUrl } } } : {}),
    suites: c.suites.map((s, i) => ({ use: `./suites/${s.name}`, ...(n > 1 ? { clusters: [benchClusterName(i % n)] } : {}) })),
    ...(c.checks && c.checks.length > 0 ? { checks: c.checks } : {}),
  };
  const file = join(c.dir, 'config.yaml');
  await writeFile(file, stringify(config));
  return file;
}
