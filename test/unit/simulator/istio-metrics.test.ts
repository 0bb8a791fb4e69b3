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
});
