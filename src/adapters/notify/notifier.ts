// The notification vocabulary: an alert event (one check instance turning failing or back),
// the Notifier the daemon notifies through (the NotificationDispatcher), the SinkNotifier
// each destination implements, and the pieces every sink renders the same way (the graph
// link, the identity of an alert).
import type { Severity } from '../../config/model.js';

export interface AlertEvent {
  status: 'firing' | 'resolved';
  suite: string;
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
}

/**
 * What the daemon and its ticks notify through: the NotificationDispatcher, or a stand-in in
 * tests. Only enqueue() is required; the daemon uses the rest when they are there.
 */
export interface Notifier {
  /** Must not block: the tick goes on whatever the sinks do. */
  enqueue(events: AlertEvent[]): void;
  /** Re-sends every firing alert this notifier has seen to the sinks that expire them. */
  resendFiring?(): unknown;
  /** Re-sends these firing alerts to the sinks that expire them (Alertmanager). */
  resend?(events: AlertEvent[]): unknown;
  /** Waits until everything queued is delivered; resolves false if timeoutMs passed first. */
  flush?(timeoutMs: number): Promise<unknown>;
  close?(): Promise<unknown>;
}

/** One destination for alert events, one request per batch. Throws a NotifyFault when delivery failed. */
export interface SinkNotifier {
  notify(events: AlertEvent[]): Promise<void>;
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

/** Identity of an alert across firing/resolved: suite, check and sorted labels. */
export function alertKey(e: Pick<AlertEvent, 'suite' | 'check' | 'labels'>): string {
  const labels = Object.keys(e.labels)
    .sort()
    .map((k) => [k, e.labels[k]]);
  return JSON.stringify([e.suite, e.check, labels]);
}

// One formatting of values for people everywhere (tables, alert texts): the core's.
export { formatValue } from '../../checks/format-value.js';
