// Turning a check's state transitions into the alert events the notification dispatcher
// sends: an instance that turns failing fires, one that leaves failing for ok, pending or
// skipped resolves. Leaving failing for unknown sends nothing, because not being able to
// see a problem is not evidence that it went away.

import type { CheckSpec } from './model.js';
import type { GroupTransition } from './evaluate-group.js';
import type { CheckRecord } from './types.js';
import type { Severity } from './model.js';
import { splitInstanceId } from './suite-instance.js';

export interface AlertEvent {
  status: 'firing' | 'resolved';
  suite: string;
  /** The cluster of the suite instance (config `clusters:`); absent with the implicit cluster. Also in `labels`. */
  cluster?: string;
  check: string;
  severity: Severity;
  /** The series' labels and the check's labels. */
  labels: Record<string, string>;
  summary: string;
  description: string;
  value: number | null;
  startsAt: Date;
  /** For resolved events: when it stopped failing (defaults to the send time). */
  endsAt?: Date;
  generatorURL: string;
  /** The disruption in progress (or just ended) when the alert fired: the likely cause. */
  disruption?: string;
}

/** Link to the check's query in the Prometheus graph UI, as Prometheus' own alerts do. */
export function generatorUrl(prometheusUrl: string, expr: string): string {
  // The link travels to Alertmanager, Slack and webhooks: never with the URL's credentials.
  const base = new URL(prometheusUrl);
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  return `${base.toString().replace(/\/+$/, '')}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0`;
}


export interface AlertSink {
  /** Must not block: the tick goes on whatever the notifiers do. */
  enqueue(events: AlertEvent[]): void;
}


/** An instance id's suite, cluster and the cluster label (checks/suite-instance.ts). */
function whose(instance: string): { suite: string; cluster?: string; clusterLabels: Record<string, string> } {
  const { suite, cluster } = splitInstanceId(instance);
  return cluster === undefined ? { suite, clusterLabels: {} } : { suite, cluster, clusterLabels: { cluster } };
}

export function alertEventsFor(
  instance: string,
  transitions: GroupTransition[],
  checks: Map<string, CheckSpec>,
  prometheusUrl: string,
  previousFailingSince: (check: string, key: string) => number | null,
): AlertEvent[] {
  const { suite, clusterLabels, ...where } = whose(instance);
  const events: AlertEvent[] = [];
  for (const t of transitions) {
    const spec = checks.get(t.check);
    const firing = t.to === 'failing' && t.from !== 'failing';
    const resolved = t.from === 'failing' && (t.to === 'ok' || t.to === 'skipped' || t.to === 'pending');
    if (!firing && !resolved) continue;
    const labels = { ...(spec?.labels ?? {}), ...t.labels, ...clusterLabels };
    const startsAt = firing ? t.at : (previousFailingSince(t.check, t.key) ?? t.at);
    events.push({
      status: firing ? 'firing' : 'resolved',
      suite,
      ...where,
      check: t.check,
      severity: t.severity,
      labels,
      summary: t.summary ?? `${instance}/${t.check} is ${t.to}`,
      description: t.description ?? `${spec?.query ?? t.check} ${spec?.fail.text ?? ''}`.trim(),
      value: t.value,
      startsAt: new Date(startsAt),
      ...(resolved ? { endsAt: new Date(t.at) } : {}),
      generatorURL: generatorUrl(prometheusUrl, spec?.query ?? ''),
    });
  }
  return events;
}

/**
 * Every instance failing in the shared state, as firing events: what the daemon re-sends to
 * Alertmanager on its resend interval. Built from Redis rather than from what this replica
 * fired itself, so an alert stays alive when the replica that fired it dies (Alertmanager
 * expires alerts that are not re-sent, and would otherwise resolve a failing check).
 */
export function firingEventsFromState(
  instance: string,
  records: Record<string, CheckRecord>,
  checks: Map<string, CheckSpec>,
  prometheusUrl: string,
): AlertEvent[] {
  const { suite, clusterLabels, ...where } = whose(instance);
  const events: AlertEvent[] = [];
  for (const [name, record] of Object.entries(records)) {
    const spec = checks.get(name);
    if (!spec) continue;
    for (const inst of Object.values(record.instances)) {
      if (inst.state !== 'failing') continue;
      events.push({
        status: 'firing',
        suite,
        ...where,
        check: name,
        severity: spec.severity,
        labels: { ...spec.labels, ...inst.labels, ...clusterLabels },
        summary: inst.summary ?? `${instance}/${name} is failing`,
        description: inst.description ?? `${spec.query} ${spec.fail.text}`.trim(),
        value: inst.value,
        startsAt: new Date(inst.failingSince ?? record.lastEvalAt),
        generatorURL: generatorUrl(prometheusUrl, spec.query),
      });
    }
  }
  return events;
}
