// The Grafana dashboards as a user imports them: a datasource variable everywhere, PromQL that
// parses, only metric names mesh-soak exports, and the ConfigMaps kustomize and Helm render
// holding them byte for byte.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, obj, ROOT, type K8sObject, type Obj } from './manifests.js';
import { find, helmSetup, overlay } from './render.js';
import { promqlErrors } from './promql-errors.js';

const DASHBOARDS = join(ROOT, 'grafana/dashboards');
const FILES = ['mesh-soak-benchmark.json', 'mesh-soak-daemon.json', 'mesh-soak-overview.json', 'mesh-soak-suite.json'];
const load = (f: string): Obj => obj(JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')) as unknown);

// DESIGN.md's metric names; histograms also expose _bucket, _count and _sum.
const COUNTERS_GAUGES = [
  'check_state', 'check_failing', 'check_value', 'check_evaluations_total', 'disruptions_total', 'restores_pending',
  'kube_requests_total', 'notifications_total', 'queue_jobs', 'redis_up', 'build_info',
  // issue 13: soak verdicts (src/telemetry/metrics.ts)
  'disruption_in_progress', 'disruption_not_recovered_total', 'check_threshold',
  'disruption_last_start_timestamp_seconds', 'disruption_last_end_timestamp_seconds',
  // src/telemetry/bench-metrics.ts
  'bench_latency_microseconds', 'bench_actual_qps', 'bench_error_percent', 'bench_cpu_millicores', 'bench_memory_mib',
];
const HISTOGRAMS = ['tick_duration_seconds', 'tick_lag_seconds', 'disruption_duration_seconds', 'prometheus_request_duration_seconds', 'recovery_seconds'];
const KNOWN = new Set([
  ...COUNTERS_GAUGES,
  ...HISTOGRAMS.flatMap((h) => ['', '_bucket', '_count', '_sum'].map((s) => h + s)),
].map((m) => `mesh_soak_${m}`));

/** Every panel, including those nested in rows. */
function panels(d: Obj): Obj[] {
  return arr(d.panels).map(obj).flatMap((p) => [p, ...arr(p.panels).map(obj)]);
}

/** Every PromQL expression: panel targets, annotations and query variables. */
function expressions(d: Obj): string[] {
  const fromPanels = panels(d).flatMap((p) => arr(p.targets).map((t) => String(obj(t).expr)));
  const fromAnnotations = arr(obj(d.annotations).list).map(obj).filter((a) => a.expr !== undefined).map((a) => String(a.expr));
  return [...fromPanels, ...fromAnnotations];
}

/** Grafana's variables replaced by values of the right shape, so the PromQL parser sees real syntax. */
function substitute(expr: string): string {
  return expr
    .replace(/\$__interval_ms/g, '15000')
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, 'x');
}

describe.each(FILES)('%s', (file) => {
  const d = load(file);

  it('has a unique uid named after the file and the mesh-soak tag', () => {
    expect(d.uid).toBe(file.replace(/\.json$/, ''));
    expect(arr(d.tags)).toContain('mesh-soak');
  });

  it('takes its Prometheus from a `datasource` variable, in every panel and query', () => {
    const v = arr(obj(d.templating).list).map(obj).find((x) => x.name === 'datasource');
    expect(v?.type).toBe('datasource');
    expect(v?.query).toBe('prometheus');
    for (const p of panels(d).filter((x) => x.type !== 'row')) {
      expect(obj(p.datasource).uid, String(p.title)).toBe('${datasource}');
      for (const t of arr(p.targets)) expect(obj(obj(t).datasource).uid, String(p.title)).toBe('${datasource}');
    }
  });

  it('has panels with unique ids that fit the 24-column grid', () => {
    const ps = panels(d);
    expect(new Set(ps.map((p) => p.id)).size).toBe(ps.length);
    for (const p of ps) {
      const g = obj(p.gridPos);
      expect(Number(g.x) + Number(g.w), String(p.title)).toBeLessThanOrEqual(24);
    }
  });

  it('has only PromQL that parses once Grafana variables are filled in', () => {
    const exprs = expressions(d);
    expect(exprs.length).toBeGreaterThan(3);
    for (const e of exprs) expect(promqlErrors(substitute(e)), e).toEqual([]);
  });

  it('uses only metric names mesh-soak exports', () => {
    const used = expressions(d).flatMap((e) => [...e.matchAll(/\bmesh_soak_\w+/g)].map((m) => m[0]));
    expect(used.length).toBeGreaterThan(0);
    for (const m of used) expect(KNOWN.has(m), m).toBe(true);
  });
});

describe('dashboard contents', () => {
  it('overview: a state timeline of every check and disruptions as annotations', () => {
    const d = load('mesh-soak-overview.json');
    const timeline = panels(d).find((p) => p.type === 'state-timeline');
    expect(String(obj(arr(timeline?.targets)[0]).expr)).toContain('mesh_soak_check_state');
  });

  it.each(['mesh-soak-overview.json', 'mesh-soak-suite.json'])('%s: disruption bands with suite and outcome, the running band, recovery panels, links', (file) => {
    const d = load(file);
    const list = arr(obj(d.annotations).list).map(obj);
    const band = list.find((a) => a.name === 'Disruptions');
    // A band: the value is the time (ms), swept from the disruption's start to its end.
    expect(band?.useValueForTime).toBe(true);
    expect(String(band?.expr)).toContain('mesh_soak_disruption_last_start_timestamp_seconds');
    expect(String(band?.expr)).toContain('mesh_soak_disruption_last_end_timestamp_seconds');
    expect(String(band?.tagKeys).split(',')).toEqual(['suite', 'outcome']);
    expect(String(band?.titleFormat)).toContain('{{outcome}}');
    const running = list.find((a) => a.name === 'Disruption running');
    expect(String(running?.expr)).toContain('mesh_soak_disruption_in_progress');
    const exprs = expressions(d).join('\n');
    expect(exprs).toMatch(/histogram_quantile\(0\.5, sum by \([^)]*le\) \(increase\(mesh_soak_recovery_seconds_bucket/);
    expect(exprs).toMatch(/histogram_quantile\(0\.95, sum by \([^)]*le\) \(increase\(mesh_soak_recovery_seconds_bucket/);
    expect(exprs).toContain('mesh_soak_disruption_not_recovered_total');
    const urls = arr(d.links).map(obj).map((l) => String(l.url ?? ''));
    // Istio's addon dashboards: Mesh and Control Plane by their fixed UIDs, Service and Workload by title.
    expect(urls).toEqual(expect.arrayContaining([
      '/d/1a9a8ea49444aae205c7737573e894f9', '/d/1813f692a8e4ac77155348d4c7d2fba8',
      '/dashboards?query=Istio%20Service%20Dashboard', '/dashboards?query=Istio%20Workload%20Dashboard',
      '${status_url}/', '${status_url}/report?since=24h',
    ]));
    const status = arr(obj(d.templating).list).map(obj).find((v) => v.name === 'status_url');
    expect(status?.type).toBe('textbox');
  });

  it('suite: templated by suite, with check values and the Istio golden signals', () => {
    const d = load('mesh-soak-suite.json');
    const v = arr(obj(d.templating).list).map(obj).find((x) => x.name === 'suite');
    expect(obj(v?.query).query).toBe('label_values(mesh_soak_check_state, suite)');
    const exprs = expressions(d).join('\n');
    for (const m of ['mesh_soak_check_value', 'mesh_soak_check_threshold', 'istio_requests_total', 'istio_request_duration_milliseconds_bucket']) {
      expect(exprs).toContain(m);
    }
    expect(exprs).toMatch(/histogram_quantile\(0\.99/);
  });

  it('daemon: tick lag and duration quantiles, queues, dependencies and the process', () => {
    const exprs = expressions(load('mesh-soak-daemon.json')).join('\n');
    for (const m of [
      'mesh_soak_tick_lag_seconds_bucket', 'mesh_soak_tick_duration_seconds_bucket', 'mesh_soak_queue_jobs',
      'mesh_soak_prometheus_request_duration_seconds', 'mesh_soak_kube_requests_total', 'mesh_soak_notifications_total',
      'process_resident_memory_bytes', 'process_cpu_seconds_total',
    ]) {
      expect(exprs).toContain(m);
    }
  });
});

describe('the dashboards ConfigMap, as kustomize and Helm render it', () => {
  const renderings: [string, () => K8sObject[]][] = [
    ['kustomize overlays/kube-prometheus-stack', () => overlay('kube-prometheus-stack')],
    ['kustomize overlays/istio-sample-addons', () => overlay('istio-sample-addons')],
    ['helm ci/kube-prometheus-stack-values.yaml', () => helmSetup('kube-prometheus-stack')],
    ['helm ci/istio-sample-addons-values.yaml', () => helmSetup('istio-sample-addons')],
  ];

  it.each(renderings)('%s: holds exactly the JSON of grafana/dashboards, labelled for Grafana\'s sidecar', (_label, render) => {
    const json = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json')).sort();
    expect(json).toEqual(FILES);
    const cm = find(render(), 'ConfigMap', 'mesh-soak-dashboards');
    expect(obj(obj(cm?.o.metadata).labels).grafana_dashboard).toBe('1');
    const data = obj(cm?.o.data);
    expect(Object.keys(data).sort()).toEqual(FILES);
    for (const f of json) expect(data[f], `${f} differs; run scripts/sync-chart-files.sh`).toBe(readFileSync(join(DASHBOARDS, f), 'utf8'));
  });
});

describe('benchmark dashboard', () => {
  it('latency vs connections and qps per mode, sidecar overhead, resources per component, history, regressions', () => {
    const d = load('mesh-soak-benchmark.json');
    const titles = panels(d).map((p) => String(p.title));
    for (const t of ['p50 / p90 / p99 by connections, per mode', 'Sidecar overhead: p90 and p99 of both − baseline', 'CPU per component (millicores)', 'Memory per component (MiB)', 'p99 across Istio versions (mode both)', 'Regression checks (change over baseline, %)']) {
      expect(titles).toContain(t);
    }
    expect(expressions(d).join('\n')).toMatch(/mode="both",stat="p99"\} - ignoring\(mode\) mesh_soak_bench_latency_microseconds\{[^}]*mode="baseline"/);
  });
});


describe('Grafana provisioning', () => {
  it('loads dashboards from files and points the datasource at Prometheus', () => {
    const prov = obj(parseYaml(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/mesh-soak.yaml'), 'utf8')));
    const provider = obj(arr(prov.providers)[0]);
    expect(provider.type).toBe('file');
    expect(String(obj(provider.options).path)).toMatch(/^\//);
    const ds = obj(parseYaml(readFileSync(join(ROOT, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8')));
    expect(obj(arr(ds.datasources)[0]).type).toBe('prometheus');
  });
});
