// The data and suites `mesh-soak check`'s CLI tests read: check_metrics' standard checks over
// three namespaces (healthy, broken, not running), 30 minutes of samples for promtool backfill,
// and the suite files and config that use them.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scaledMs } from '../../../simulator/local/wait-for.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { timeout: scaledMs(30_000), env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

// Three suites over the same standard checks: one healthy, one broken, one not running.
export const NAMESPACES = { good: 'ns-good', bad: 'ns-bad', idle: 'ns-idle' } as const;

/** The range windows of the queries: check_metrics' (1m, 10m), or shorter for live data. */
export interface Windows {
  short: string;
  long: string;
}
export const CHECK_METRICS_WINDOWS: Windows = { short: '1m', long: '10m' };

/** check_metrics' standard queries with today's metric names; op/threshold as its alarms. */
export function standardChecks(ns: string, w: Windows = CHECK_METRICS_WINDOWS) {
  return [
    {
      name: '5xx-rate',
      query: `sum(rate(istio_requests_total{reporter="destination",destination_service_namespace=~"${ns}",response_code=~"5.."}[${w.short}]))`,
      op: '>',
      threshold: 0,
      noData: 'ok', // check_metrics reads an empty result as 0, and 0 > 0 is false
    },
    {
      name: 'envoy-cpu',
      query: `sum(rate(container_cpu_usage_seconds_total{container="istio-proxy",namespace=~"${ns}"}[${w.short}])) * 1000`,
      op: '>',
      threshold: 50,
      noData: 'ok',
    },
    {
      name: 'envoy-memory',
      query: `max(max_over_time(container_memory_working_set_bytes{container="istio-proxy",namespace=~"${ns}"}[${w.short}])) / 1048576`,
      op: '>',
      threshold: 64,
      noData: 'ok',
    },
    {
      name: 'sanity',
      query: runningQuery(ns, w),
      op: '<',
      threshold: 0.5,
      noData: 'fail', // 0 < 0.5 holds
    },
  ];
}

export function runningQuery(ns: string, w: Windows = CHECK_METRICS_WINDOWS): string {
  return `sum(rate(istio_requests_total{destination_service_namespace="${ns}"}[${w.long}]))`;
}

/**
 * Samples run 10 minutes past the start of the file: the CLI runs take a while on a busy
 * machine, and a [1m] rate evaluated after the last sample would read low or empty.
 */
export const FUTURE_S = 600;

/** One series of the data: its labels and its value `t` seconds after the data starts. */
export interface DataSeries {
  name: string;
  labels: Record<string, string>;
  at: (t: number) => number;
}

/** The series every CLI check test reads: counters at known rates, gauges at known levels. */
export function dataSeries(): DataSeries[] {
  const series: DataSeries[] = [];
  const req = (ns: string, code: string, perS: number) =>
    series.push({
      name: 'istio_requests_total',
      labels: { reporter: 'destination', destination_service_namespace: ns, response_code: code },
      at: (t) => perS * t,
    });
  req('ns-good', '200', 10);
  req('ns-bad', '200', 10);
  req('ns-bad', '503', 0.5);
  // The shipped http10 suite's namespace: traffic flows, with 503s; no kube-state-metrics anywhere.
  req('istio-stability-http10', '200', 10);
  req('istio-stability-http10', '503', 1);
  for (const [ns, cores, mib] of [
    ['ns-good', 0.01, 40],
    ['ns-bad', 0.08, 100],
  ] as const) {
    const labels = { container: 'istio-proxy', namespace: ns, pod: 'p1' };
    series.push({ name: 'container_cpu_usage_seconds_total', labels, at: (t) => cores * t });
    series.push({ name: 'container_memory_working_set_bytes', labels, at: () => mib * 1048576 });
  }
  series.push({ name: 'pilot_total_xds_rejects', labels: { app: 'istiod' }, at: () => 3 });
  return series;
}

/** 30 minutes of samples every 10 s up to now (and FUTURE_S past it), for promtool backfill. */
export function openMetrics(nowS: number): string {
  const series = dataSeries();
  const text = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const start = nowS - 1800;
  const lines: string[] = [];
  const families = [...new Set(series.map((s) => s.name))];
  for (const family of families) {
    lines.push(`# TYPE ${family} gauge`);
    for (const s of series.filter((x) => x.name === family)) {
      for (let t = start; t <= nowS + FUTURE_S; t += 10) lines.push(`${s.name}{${text(s.labels)}} ${s.at(t - start)} ${t}`);
    }
  }
  return lines.join('\n') + '\n# EOF\n';
}

/** The three suites (good, bad, idle) under dir/suites and a config naming them and one mesh-wide check. */
export async function writeCheckConfig(dir: string, prometheusSection: string, w: Windows = CHECK_METRICS_WINDOWS): Promise<string> {
  for (const [key, ns] of Object.entries(NAMESPACES)) {
    await mkdir(join(dir, 'suites', key), { recursive: true });
    const checks = standardChecks(ns, w)
      .map((c) => `  - name: ${c.name}\n    query: '${c.query}'\n    fail: "${c.op} ${c.threshold}"\n    noData: ${c.noData}`)
      .join('\n');
    await writeFile(
      join(dir, 'suites', key, 'suite.yaml'),
      `name: ${key}\ndescription: check_metrics standard checks for ${ns}\nnamespace: ${ns}\nmanifests: []\nguard: '${runningQuery(ns, w)}'\nchecks:\n${checks}\n`,
    );
  }
  const config = join(dir, 'mesh-soak.yaml');
  await writeFile(
    config,
    [
      prometheusSection,
      'suites:',
      ...Object.keys(NAMESPACES).map((k) => `  - use: ./suites/${k}`),
      'checks:',
      '  - name: pilot-xds-rejects',
      '    query: sum(pilot_total_xds_rejects)',
      '    fail: "> 0"',
      '    severity: critical',
      '',
    ].join('\n'),
  );
  return config;
}
