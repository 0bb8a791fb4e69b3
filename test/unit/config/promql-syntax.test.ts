import { expect, it } from 'vitest';
import { promqlSyntaxError } from '../../../src/config/index.js';

it('accepts the queries check_metrics ran', () => {
  for (const q of [
    'sum(rate(istio_requests_total{reporter="destination", destination_service_namespace=~"ns", response_code=~"5.."}[1m]))',
    'rate(container_cpu_usage_seconds_total{container="istio-proxy", namespace=~"ns"}[1m]) * 1000',
    'max(max_over_time(container_memory_working_set_bytes{container="istio-proxy"}[1m])) / 1024 / 1024',
    'sum(rate(x{succeeded="False"}[5m])) / sum(rate(x[5m])) > 0.5',
    'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket[5m])))',
  ]) {
    expect(promqlSyntaxError(q)).toBeNull();
  }
});

it('names the column of the mistake inside the expression', () => {
  expect(promqlSyntaxError('sum(rate(x[1m])')).toBe('PromQL syntax error: unexpected end of expression at column 16');
  expect(promqlSyntaxError('sum(rate(x[1m])) by (a) >')).toMatch(/^PromQL syntax error/);
  expect(promqlSyntaxError('up{job="a"} ) + 1')).toMatch(/at column 13 near "\) \+ 1"/);
  expect(promqlSyntaxError('  ')).toBe('empty PromQL expression');
});
