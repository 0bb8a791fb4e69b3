// The notification vocabulary shared by every sink: an alert event (one check instance turning
// failing or back), the Notifier interface each sink implements, and the pieces every sink
// renders the same way (the graph link, the identity of an alert).
import type { AlertEvent } from '../../checks/alert-event.js';

export type { AlertEvent } from '../../checks/alert-event.js';
export { generatorUrl } from '../../checks/alert-event.js';

/** A destination for alert events. Throws a NotifyFault when delivery failed. */
export interface Notifier {
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
