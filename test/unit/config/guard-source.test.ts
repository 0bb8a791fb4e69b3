import { describe, expect, it } from 'vitest';
import { guardMetricNames, guardSourceQuery } from '../../../src/config/guard-source.js';

describe('guard data source', () => {
  it('names every metric the guard selects, each once, sorted', () => {
    expect(
      guardMetricNames(
        'sum(rate(istio_requests_total{destination_service_namespace="a"}[10m]) or rate(istio_requests_total{source_workload_namespace="a"}[10m])) > 0 or sum(kube_deployment_status_replicas{namespace="a"})',
      ),
    ).toEqual(['istio_requests_total', 'kube_deployment_status_replicas']);
  });

  it('builds `absent(a) and absent(b)`: true only when none of them exist', () => {
    expect(guardSourceQuery('sum(b) > 0 or sum(a)')).toBe('absent(a) and absent(b)');
  });

  it('has no source for a guard without a metric name', () => {
    expect(guardSourceQuery('vector(1)')).toBeUndefined();
    expect(guardSourceQuery('count({__name__="x"})')).toBeUndefined();
  });
});
