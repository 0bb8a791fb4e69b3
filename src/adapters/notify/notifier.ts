// The notification vocabulary: an alert event (one check instance turning failing or back),
// the Notifier the daemon notifies through (the NotificationDispatcher), the SinkNotifier
// each destination implements, and the pieces every sink renders the same way (the graph
// link, the identity of an alert).
import type { AlertEvent } from '../../checks/alert-event.js';

export type { AlertEvent } from '../../checks/alert-event.js';
export { generatorUrl } from '../../checks/alert-event.js';

/**
 * What the daemon and its ticks notify through: the NotificationDispatcher, or a stand-in in
 * tests. Only enqueue() is required; the daemon uses the rest when they are there.
 */
export interface Notifier {
  /** Must not block: the tick goes on whatever the sinks do. */
  enqueue(events: AlertEvent[]): void;
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

/** Identity of an alert across firing/resolved: suite, check and sorted labels. */
export function alertKey(e: Pick<AlertEvent, 'suite' | 'check' | 'labels'>): string {
  const labels = Object.keys(e.labels)
    .sort()
    .map((k) => [k, e.labels[k]]);
  return JSON.stringify([e.suite, e.check, labels]);
}

// One formatting of values for people everywhere (tables, alert texts): the core's.
export { formatValue } from '../../checks/format-value.js';
