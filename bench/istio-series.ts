// The tick benchmark's data and checks: a synthetic target holding realistic Istio and
// cAdvisor series (counters that really grow), and 500 check_metrics-style checks over
// them. Kept apart from the runner so the numbers' inputs are easy to read.

import { parseCondition } from '../src/checks/condition.js';
import type { CheckSpec } from '../src/config/model.js';
import type { SyntheticTarget } from '../test/harness/index.js';

export const NAMESPACES = 20;
export const SERVICES = 25;
export const CODES = ['200', '201', '404', '500', '503'];
const PODS_PER_SERVICE = 2;

const ns = (i: number) => `bench-ns-${i}`;
const svc = (j: number) => `svc-${j}`;

/** Requests per second for one (namespace, service, code): mostly 200s, a few services with 5xx. */
function requestRate(i: number, j: number, code: string): number {
  if (code === '200') return 5 + ((i * SERVICES + j) % 7);
  if (code === '201') return 1;
  if (code === '404') return 0.2;
  // One service in eleven serves errors, so checks give a mix of verdicts.
  return (i * SERVICES + j) % 11 === 0 ? 0.5 : 0;
}

/** Number of series the target exposes. */
export function seriesCount(): number {
  return NAMESPACES * SERVICES * (CODES.length + 2 * PODS_PER_SERVICE) + 1;
}

/** Sets every series to its value `elapsedS` seconds after the start (counters grow linearly). */
export function updateSeries(target: SyntheticTarget, elapsedS: number): void {
  for (let i = 0; i < NAMESPACES; i++) {
    for (let j = 0; j < SERVICES; j++) {
      for (const code of CODES) {
        target.set(
          'istio_requests_total',
          {
            reporter: 'destination',
            destination_service_namespace: ns(i),
            destination_service_name: svc(j),
            destination_workload: svc(j),
            response_code: code,
          },
          Math.floor(requestRate(i, j, code) * elapsedS),
        );
      }
      for (let p = 0; p < PODS_PER_SERVICE; p++) {
        const labels = { namespace: ns(i), pod: `${svc(j)}-${p}`, container: 'istio-proxy' };
        const millicores = 10 + ((i + j + p) % 50);
        target.set('container_cpu_usage_seconds_total', labels, (millicores / 1000) * elapsedS);
        const mib = 30 + ((i * 3 + j + p) % 40) + (elapsedS % 5);
        target.set('container_memory_working_set_bytes', labels, mib * 1024 * 1024);
      }
    }
  }
  target.set('pilot_total_xds_rejects', { app: 'istiod', type: 'lds' }, 0);
}

function spec(name: string, query: string, fail: string): CheckSpec {
  const condition = parseCondition(fail);
  if ('error' in condition) throw new Error(condition.error);
  return {
    name,
    query,
    fail: condition,
    forMs: 0,
    keepFiringForMs: 0,
    noData: 'ok',
    errorLimit: 3,
    severity: 'warning',
    labels: {},
  };
}

/**
 * 500 checks, 25 per namespace, in check_metrics' shapes: 5xx rate, sanity traffic,
 * Envoy CPU (a vector: one instance per pod), Envoy memory peak, error ratio.
 */
export function benchChecks(): CheckSpec[] {
  const checks: CheckSpec[] = [];
  for (let i = 0; i < NAMESPACES; i++) {
    for (let j = 0; j < SERVICES; j++) {
      const sel = `destination_service_namespace="${ns(i)}", destination_service_name="${svc(j)}"`;
      const pods = `container="istio-proxy", namespace="${ns(i)}", pod=~"${svc(j)}-.*"`;
      const name = `${ns(i)}-${svc(j)}`;
      switch (j % 5) {
        case 0:
          checks.push(spec(`${name}-5xx`, `sum(rate(istio_requests_total{reporter="destination", ${sel}, response_code=~"5.."}[1m]))`, '> 0'));
          break;
        case 1:
          checks.push(spec(`${name}-sanity`, `sum(rate(istio_requests_total{${sel}}[10m]))`, '< 0.5'));
          break;
        case 2:
          checks.push(spec(`${name}-cpu`, `rate(container_cpu_usage_seconds_total{${pods}}[1m]) * 1000`, '> 50'));
          break;
        case 3:
          checks.push(
            spec(`${name}-memory`, `max(max_over_time(container_memory_working_set_bytes{${pods}}[1m])) / 1024 / 1024`, '> 64'),
          );
          break;
        default:
          checks.push(
            spec(
              `${name}-error-ratio`,
              `sum(rate(istio_requests_total{${sel}, response_code=~"5.."}[1m])) / sum(rate(istio_requests_total{${sel}}[1m]))`,
              '> 0.05',
            ),
          );
      }
    }
  }
  return checks;
}

/** One check whose query returns a 500-series vector, and its one-scalar counterpart. */
export const VECTOR_500 = 'rate(istio_requests_total{response_code="200"}[1m])';
export const SCALAR_OF_500 = 'sum(rate(istio_requests_total{response_code="200"}[1m]))';
