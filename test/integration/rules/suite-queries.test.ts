// The shipped suites' PromQL judged by Prometheus' own engine (promtool, local binary): every
// guard, check, mesh-wide check and dashboard query passes Prometheus' type checks, and the
// checks return what a user expects on metric shapes taken from a real mesh.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { arr, DEPLOY, obj, ROOT, SHIPPED_SUITES, suiteData } from '../../unit/deploy/manifests.js';
import { PROMTOOL, promtool } from './promtool.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-queries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shipped check's rendered query. */
function query(suite: string, check: string): string {
  const c = arr(suiteData(suite).spec.checks).map(obj).find((x) => x.name === check);
  if (!c) throw new Error(`${suite} has no check ${check}`);
  return String(c.query);
}

function allExpressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const s of SHIPPED_SUITES) {
    const { spec } = suiteData(s);
    if (spec.guard !== undefined) out.push({ where: `${s} guard`, expr: String(spec.guard) });
    for (const c of arr(spec.checks).map(obj)) out.push({ where: `${s} ${String(c.name)}`, expr: String(c.query) });
  }
  const config = obj(parseYaml(readFileSync(join(DEPLOY, 'base', 'config.yaml'), 'utf8')));
  for (const c of arr(config.checks).map(obj)) out.push({ where: `config ${String(c.name)}`, expr: String(c.query) });
  for (const f of ['mesh-soak-overview.json', 'mesh-soak-suite.json', 'mesh-soak-daemon.json']) {
    const d = obj(JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards', f), 'utf8')) as unknown);
    const panels = arr(d.panels).map(obj).flatMap((p) => [p, ...arr(p.panels).map(obj)]);
    const exprs = [
      ...panels.flatMap((p) => arr(p.targets).map((t) => String(obj(t).expr))),
      ...arr(obj(d.annotations).list).map(obj).filter((a) => a.expr !== undefined).map((a) => String(a.expr)),
    ];
    for (const e of exprs) {
      // Grafana fills these in before Prometheus sees the query.
      const filled = e
        .replace(/\$__rate_interval/g, '5m')
        .replace(/\$__range\b/g, '1h')
        .replace(/\$__interval_ms\b/g, '15000')
        .replace(/\$\{?(\w+)\}?/g, 'x');
      out.push({ where: f, expr: filled });
    }
  }
  return out;
}

interface ExprCase {
  name: string;
  input: { series: string; values: string }[];
  expr: string;
  eval: string;
  expect: { labels: string; value: number }[];
}

const http10 = 'istio-stability-http10';
const gs = 'istio-stability-graceful-shutdown';
const gb = 'istio-stability-gateway-bouncer';

const CASES: ExprCase[] = [
  {
    name: 'http10 5xx-rate counts only 5xx answers, per second',
    input: [
      { series: `istio_requests_total{reporter="destination",destination_service_namespace="${http10}",response_code="503"}`, values: '0+60x10' },
      { series: `istio_requests_total{reporter="destination",destination_service_namespace="${http10}",response_code="200"}`, values: '0+600x10' },
    ],
    expr: query('http10', '5xx-rate'),
    eval: '5m',
    expect: [{ labels: '{}', value: 1 }],
  },
  {
    name: 'http10 envoy-cpu keeps only sidecars over the budget, in millicores',
    input: [
      { series: `container_cpu_usage_seconds_total{container="istio-proxy",namespace="${http10}",pod="hot"}`, values: '0+6x10' },
      { series: `container_cpu_usage_seconds_total{container="istio-proxy",namespace="${http10}",pod="cool"}`, values: '0+0.6x10' },
      { series: `container_cpu_usage_seconds_total{container="fortio-client",namespace="${http10}",pod="hot"}`, values: '0+60x10' },
    ],
    expr: query('http10', 'envoy-cpu'),
    eval: '5m',
    expect: [{ labels: '{pod="hot"}', value: 100 }],
  },
  {
    name: 'graceful-shutdown envoy-memory keeps only sidecars over the budget, in MiB',
    input: [
      { series: `container_memory_working_set_bytes{container="istio-proxy",namespace="${gs}",pod="big"}`, values: '104857600x10' },
      { series: `container_memory_working_set_bytes{container="istio-proxy",namespace="${gs}",pod="small"}`, values: '33554432x10' },
    ],
    expr: query('graceful-shutdown', 'envoy-memory'),
    eval: '5m',
    expect: [{ labels: '{pod="big"}', value: 100 }],
  },
  {
    name: 'graceful-shutdown sanity reports the request rate that `< 0.5` judges',
    input: [
      { series: `istio_requests_total{reporter="destination",destination_service_namespace="${gs}",response_code="200"}`, values: '0+6x20' },
    ],
    expr: query('graceful-shutdown', 'sanity'),
    eval: '10m',
    expect: [{ labels: '{}', value: 0.1 }],
  },
  {
    name: 'gateway-bouncer client-restarts counts restarts of the client only',
    input: [
      { series: `kube_pod_container_status_restarts_total{namespace="${gb}",container="fortio-client",pod="c"}`, values: '0 0 0 1 1 1 1' },
      { series: `kube_pod_container_status_restarts_total{namespace="${gb}",container="istio-proxy",pod="g"}`, values: '0 1 2 3 4 5 6' },
    ],
    expr: query('gateway-bouncer', 'client-restarts'),
    eval: '5m',
    expect: [{ labels: '{}', value: 1 }],
  },
  {
    name: 'gateway-bouncer gateway-ready reports available gateway replicas',
    input: [
      { series: `kube_deployment_status_replicas_available{namespace="${gb}",deployment="istio-ingressgateway"}`, values: '1 1 0 0' },
      { series: `kube_deployment_status_replicas_available{namespace="${gb}",deployment="istiod"}`, values: '1 1 1 1' },
    ],
    expr: query('gateway-bouncer', 'gateway-ready'),
    eval: '3m',
    expect: [{ labels: '{}', value: 0 }],
  },
  {
    name: 'istio-upgrader mesh-5xx-ratio is the 5xx share of all requests',
    input: [
      { series: 'istio_requests_total{reporter="destination",destination_service_namespace="a",response_code="503"}', values: '0+60x10' },
      { series: 'istio_requests_total{reporter="destination",destination_service_namespace="b",response_code="200"}', values: '0+540x10' },
    ],
    expr: query('istio-upgrader', 'mesh-5xx-ratio'),
    eval: '5m',
    expect: [{ labels: '{}', value: 0.1 }],
  },
  {
    name: 'istio-upgrader push-errors counts send errors, not pushes',
    input: [
      { series: 'pilot_xds_pushes{type="cds_senderr"}', values: '0+1x10' },
      { series: 'pilot_xds_pushes{type="cds"}', values: '0+100x10' },
    ],
    expr: query('istio-upgrader', 'push-errors'),
    eval: '5m',
    expect: [{ labels: '{}', value: 5 }],
  },
];

/** The overview's state-timeline query, which folds the one-hot check_state series into one number. */
function stateTimelineExpr(): string {
  const d = obj(JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards/mesh-soak-overview.json'), 'utf8')) as unknown);
  const panel = arr(d.panels).map(obj).find((p) => p.type === 'state-timeline');
  return String(obj(arr(panel?.targets)[0]).expr);
}

function stateSeries(check: string, current: string): { series: string; values: string }[] {
  return ['failing', 'pending', 'unknown', 'ok', 'skipped'].map((state) => ({
    series: `mesh_soak_check_state{suite="s",check="${check}",severity="warning",state="${state}"}`,
    values: state === current ? '1x5' : '0x5',
  }));
}

CASES.push({
  name: 'the overview state timeline shows each check\'s current state as its documented number',
  input: [...stateSeries('a', 'failing'), ...stateSeries('b', 'pending'), ...stateSeries('c', 'ok'), ...stateSeries('d', 'skipped')],
  expr: stateTimelineExpr(),
  eval: '2m',
  expect: [
    { labels: '{suite="s",check="a"}', value: 4 },
    { labels: '{suite="s",check="b"}', value: 3 },
    { labels: '{suite="s",check="c"}', value: 1 },
    { labels: '{suite="s",check="d"}', value: 0 },
  ],
});

describe.skipIf(!existsSync(PROMTOOL))('suite and dashboard queries (promtool)', () => {
  it('pass Prometheus\' parser and type checks, every one of them', async () => {
    const exprs = allExpressions();
    expect(exprs.length).toBeGreaterThan(40);
    const rules = {
      groups: [{ name: 'shipped-queries', rules: exprs.map((e, i) => ({ record: `mesh_soak_test:q${i}`, expr: e.expr })) }],
    };
    const file = join(dir, 'queries.rules.yaml');
    writeFileSync(file, stringify(rules));
    const r = await promtool('check', 'rules', file);
    const bad = [...r.out.matchAll(/q(\d+)/g)].map((m) => exprs[Number(m[1])]?.where);
    expect(r.code, `${r.out}\n${bad.join('\n')}`).toBe(0);
  });

  it('return what the checks promise on realistic series', async () => {
    const rulesFile = join(dir, 'empty.rules.yaml');
    writeFileSync(rulesFile, 'groups: []\n');
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: CASES.map((c) => ({
        name: c.name,
        interval: '1m',
        input_series: c.input,
        promql_expr_test: [{ expr: c.expr, eval_time: c.eval, exp_samples: c.expect }],
      })),
    };
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify(tests));
    const r = await promtool('test', 'rules', file);
    expect(r.code, r.out).toBe(0);
  });
});
