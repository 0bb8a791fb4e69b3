// Questions about the alerts that arrived through the real Alertmanager's webhook: which
// (suite, check) fired, resolved, and when.

import type { ReceivedAlert } from '../../../simulator/demo-stack.js';

export interface AlertQuery {
  suite: string;
  check: string;
  status: ReceivedAlert['status'];
  /** Only alerts received at or after this time (ms since epoch). */
  since?: number;
}

export function findAlert(alerts: readonly ReceivedAlert[], q: AlertQuery): ReceivedAlert | undefined {
  return alerts.find((a) => a.status === q.status && a.labels.suite === q.suite && a.labels.check === q.check && a.at >= (q.since ?? 0));
}

/** Distinct `suite/check` pairs that arrived firing, sorted. */
export function firedChecks(alerts: readonly ReceivedAlert[]): string[] {
  return [...new Set(alerts.filter((a) => a.status === 'firing').map((a) => `${a.labels.suite ?? '?'}/${a.labels.check ?? '?'}`))].sort();
}

export function describeAlerts(alerts: readonly ReceivedAlert[]): string {
  if (alerts.length === 0) return 'alerts received: none';
  return `alerts received:\n${alerts.map((a) => `  ${new Date(a.at).toISOString()} ${a.status} ${a.labels.suite ?? '?'}/${a.labels.check ?? '?'} value=${a.annotations.value ?? '?'}`).join('\n')}`;
}
