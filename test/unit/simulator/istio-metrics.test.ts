// The synthetic mesh must react to disruptions the way the suites' checks expect, or the
// demo and e2e tests would prove nothing: healthy rollouts stay clean, faults show up.
import { describe, expect, it } from 'vitest';
import { IstioMetricsModel, type DeploymentView } from '../../../simulator/istio-metrics.js';

const NS = 'istio-stability-graceful-shutdown';

function dep(name: string, over: Partial<DeploymentView> = {}, ns = NS): DeploymentView {
  return { namespace: ns, name, replicas: 2, available: 2, rolling: false, pods: [`${name}-a`, `${name}-b`], ...over };
}

function value(text: string, name: string, match: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').pop());
  }
  return sum;
}

function run(model: IstioMetricsModel, steps: Array<[DeploymentView[], number]>): string {
  for (const [deps, t] of steps) model.update(deps, t);
  return model.render();
}

describe('IstioMetricsModel', () => {
  it('counts 10 qps of 200s per server and no 5xx in a healthy rollout', () => {
    const m = new IstioMetricsModel();
    const text = run(m, [
      [[dep('httpbin'), dep('fortio-client')], 0],
      [[dep('httpbin', { rolling: true }), dep('fortio-client')], 10_000],
    ]);
    expect(value(text, 'istio_requests_total', { reporter: 'destination', response_code: '200', destination_service_namespace: NS })).toBe(100);
    expect(value(text, 'istio_requests_total', { reporter: 'destination', response_code: '503' })).toBe(0);
  });

  it('turns a rollout without graceful drain into 5xx, and only while rolling', () => {
    const m = new IstioMetricsModel();
    m.setFault(NS, 'no-drain', true);
    let text = run(m, [
      [[dep('httpbin')], 0],
      [[dep('httpbin')], 5_000],
    ]);
    expect(value(text, 'istio_requests_total', { reporter: 'destination', response_code: '503' })).toBe(0);
    text = run(m, [[[dep('httpbin', { rolling: true })], 10_000]]);
    expect(value(text, 'istio_requests_total', { reporter: 'destination', response_code: '503' })).toBe(10);
  });

  it('makes the gateway-bouncer client restart when the gateway turns ready while pilot is down', () => {
    const ns = 'istio-stability-gateway-bouncer';
    const m = new IstioMetricsModel();
    m.setFault(ns, 'early-ready', true);
    const cluster = (pilotUp: boolean, rolling: boolean) => [
      dep('istiod', { replicas: pilotUp ? 1 : 0, available: pilotUp ? 1 : 0, pods: pilotUp ? ['istiod-a'] : [] }, ns),
      dep('istio-ingressgateway', { rolling }, ns),
      dep('fortio-server', {}, ns),
      dep('fortio-client', { replicas: 1, pods: ['fortio-client-a'] }, ns),
    ];
    let text = run(m, [
      [cluster(true, true), 0],
      [cluster(true, true), 20_000],
    ]);
    expect(value(text, 'kube_pod_container_status_restarts_total', { namespace: ns })).toBe(0);
    // Pilot down, gateway restarted: the client fails at once, then every 5 s of the outage,
    // even after the gateway's rollout itself has finished.
    text = run(m, [
      [cluster(false, true), 30_000],
      [cluster(false, false), 40_000],
    ]);
    // (the model counts each update's whole interval: 1 at once + 20 s / 5 s)
    expect(value(text, 'kube_pod_container_status_restarts_total', { namespace: ns, container: 'fortio-client' })).toBe(5);
    expect(value(text, 'istio_requests_total', { source_workload: 'istio-ingressgateway', response_code: '503' })).toBe(100);
    // Pilot back: the gateway is configured and the errors stop.
    text = run(m, [
      [cluster(true, false), 50_000],
      [cluster(true, false), 80_000],
    ]);
    expect(value(text, 'kube_pod_container_status_restarts_total', { namespace: ns, container: 'fortio-client' })).toBe(5);
  });

  it('reports deployments like kube-state-metrics and forgets deleted ones', () => {
    const m = new IstioMetricsModel();
    let text = run(m, [[[dep('httpbin', { available: 1 })], 0]]);
    expect(value(text, 'kube_deployment_status_replicas_available', { deployment: 'httpbin' })).toBe(1);
    text = run(m, [[[], 1000]]);
    expect(text).not.toContain('kube_deployment_status_replicas_available');
  });

  it('raises sidecar memory and mesh-wide XDS rejects on demand', () => {
    const m = new IstioMetricsModel();
    m.setFault(NS, 'memory', true);
    m.setFault('istio-system', 'xds-rejects', true);
    const text = run(m, [
      [[dep('httpbin')], 0],
      [[dep('httpbin')], 4_000],
    ]);
    expect(value(text, 'container_memory_working_set_bytes', { pod: 'httpbin-a' })).toBe(100 * 1024 * 1024);
    expect(value(text, 'pilot_total_xds_rejects', {})).toBe(2);
  });

  it('renders valid exposition lines with TYPE before samples', () => {
    const m = new IstioMetricsModel();
    const text = run(m, [[[dep('httpbin')], 0]]);
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^# HELP /);
    for (const l of lines) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[\d.e+]+)$/);
  });

  describe('HTTP/1.0 as Envoy answers it (http10)', () => {
    const H = 'istio-stability-http10';
    const istiod = (env: Record<string, string>) =>
      dep('istiod', { replicas: 1, available: 1, pods: ['istiod-a'], containers: [{ name: 'discovery', argv: [], env }] }, 'istio-system');
    const client = (argv: string[]) => dep('fortio-client', { replicas: 1, available: 1, pods: ['c-a'], containers: [{ name: 'c', argv, env: {} }] }, H);
    const server = dep('fortio-server', { replicas: 1, available: 1, pods: ['s-a'] }, H);
    const curl = ['/bin/sh', '-c', 'while true; do curl --http1.0 http://fortio-server:8080/echo; done'];
    const answers = (m: IstioMetricsModel, c: DeploymentView, env: Record<string, string>) => {
      const text = run(m, [[[istiod(env), c, server], 0], [[istiod(env), c, server], 10_000]]);
      const src = (code: string) => value(text, 'istio_requests_total', { reporter: 'source', source_workload_namespace: H, response_code: code });
      return { ok: src('200'), e400: src('400'), e426: src('426'), atServer: value(text, 'istio_requests_total', { reporter: 'destination', destination_service_namespace: H }) };
    };

    it('curl --http1.0 with PILOT_HTTP10=1 is served', () => {
      expect(answers(new IstioMetricsModel(), client(curl), { PILOT_HTTP10: '1' })).toEqual({ ok: 100, e400: 0, e426: 0, atServer: 100 });
    });

    it('without PILOT_HTTP10 the client sidecar answers 426 and the server sees nothing', () => {
      expect(answers(new IstioMetricsModel(), client(curl), {})).toEqual({ ok: 0, e400: 0, e426: 100, atServer: 0 });
    });

    it('Fortio -http1.0 without a Host header gets 400; with -H Host: it is served', () => {
      expect(answers(new IstioMetricsModel(), client(['fortio', 'load', '-http1.0', 'http://s/echo']), { PILOT_HTTP10: '1' })).toMatchObject({ e400: 100, atServer: 0 });
      expect(answers(new IstioMetricsModel(), client(['fortio', 'load', '-http1.0', '-H', 'Host: s', 'http://s/echo']), { PILOT_HTTP10: '1' })).toMatchObject({ ok: 100, e400: 0 });
    });

    it('the no-host and no-pilot-http10 faults force the refusals', () => {
      const a = new IstioMetricsModel();
      a.setFault(H, 'no-host', true);
      expect(answers(a, client(curl), { PILOT_HTTP10: '1' })).toMatchObject({ e400: 100 });
      const b = new IstioMetricsModel();
      b.setFault(H, 'no-pilot-http10', true);
      expect(answers(b, client(curl), { PILOT_HTTP10: '1' })).toMatchObject({ e426: 100 });
    });
  });

  describe('release-qualification series', () => {
    const cp = () => [
      dep('istiod', { replicas: 1, available: 1, pods: ['istiod-a'] }, 'istio-system'),
      dep('istio-ingressgateway', { replicas: 1, available: 1, pods: ['gw-a'] }, 'istio-system'),
    ];
    const after = (m: IstioMetricsModel) => run(m, [[cp(), 0], [cp(), 10_000]]);

    it('a healthy control plane: ingress 200s with fast buckets, istiod ready, limits, no senderr', () => {
      const text = after(new IstioMetricsModel());
      expect(value(text, 'istio_requests_total', { reporter: 'source', source_workload: 'istio-ingressgateway', response_code: '200' })).toBe(200);
      expect(value(text, 'istio_request_duration_milliseconds_bucket', { source_workload: 'istio-ingressgateway', le: '5' })).toBe(200);
      expect(value(text, 'istio_request_duration_milliseconds_bucket', { source_workload: 'istio-ingressgateway', le: '1' })).toBe(0);
      expect(value(text, 'kube_pod_container_status_ready', { container: 'discovery' })).toBe(1);
      expect(value(text, 'kube_deployment_status_replicas_unavailable', { deployment: 'istiod' })).toBe(0);
      expect(value(text, 'container_spec_memory_limit_bytes', { container: 'discovery' })).toBe(2 * 1024 ** 3);
      expect(value(text, 'container_memory_working_set_bytes', { container: 'istio-proxy', pod: 'gw-a' })).toBe(40 * 1024 ** 2);
      expect(value(text, 'pilot_xds_pushes', { type: 'cds_senderr' })).toBe(0);
      // istiod has no sidecar.
      expect(value(text, 'container_memory_working_set_bytes', { container: 'istio-proxy', pod: 'istiod-a' })).toBe(0);
    });

    it('each mesh fault moves its series', () => {
      const with_ = (kind: Parameters<IstioMetricsModel['setFault']>[1]) => {
        const m = new IstioMetricsModel();
        m.setFault('istio-system', kind, true);
        return after(m);
      };
      expect(value(with_('no-ingress'), 'istio_requests_total', { source_workload: 'istio-ingressgateway', reporter: 'source' })).toBe(0);
      expect(value(with_('ingress-errors'), 'istio_requests_total', { source_workload: 'istio-ingressgateway', reporter: 'source', response_code: '503' })).toBe(200);
      expect(value(with_('ingress-latency'), 'istio_request_duration_milliseconds_bucket', { source_workload: 'istio-ingressgateway', le: '250' })).toBe(0);
      expect(with_('no-istio-metrics')).not.toContain('istio_requests_total');
      expect(value(with_('proxy-cpu'), 'container_cpu_usage_seconds_total', { pod: 'gw-a' })).toBeCloseTo(15, 6);
      expect(value(with_('istiod-cpu'), 'container_cpu_usage_seconds_total', { pod: 'istiod-a' })).toBeCloseTo(15, 6);
      expect(value(with_('proxy-memory'), 'container_memory_working_set_bytes', { pod: 'gw-a' })).toBeCloseTo(0.95 * 1024 ** 3, 0);
      expect(value(with_('istiod-memory'), 'container_memory_working_set_bytes', { pod: 'istiod-a' })).toBeCloseTo(0.95 * 2 * 1024 ** 3, 0);
      expect(value(with_('ingress-memory-growth'), 'container_memory_working_set_bytes', { pod: 'gw-a' })).toBe(40 * 1024 ** 2 + 200_000);
      expect(value(with_('istiod-memory-growth'), 'container_memory_working_set_bytes', { pod: 'istiod-a' })).toBe(200 * 1024 ** 2 + 200_000);
      expect(value(with_('xds-push-errors'), 'pilot_xds_pushes', { type: 'cds_senderr' })).toBe(10);
      expect(value(with_('istiod-not-ready'), 'kube_pod_container_status_ready', { container: 'discovery' })).toBe(0);
      expect(value(with_('istiod-unavailable'), 'kube_deployment_status_replicas_unavailable', { deployment: 'istiod' })).toBe(1);
    });
  });
});
