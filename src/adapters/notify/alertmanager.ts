// Alertmanager sink: POSTs events to /api/v2/alerts. Firing alerts carry an endsAt a few resend
// intervals ahead, so Alertmanager keeps them while mesh-soak keeps re-sending and resolves them
// by itself if mesh-soak dies; resolutions carry the real end time.
import { formatValue, type AlertEvent } from './notifier.js';
import { JsonPostNotifier, type JsonPostOptions } from './http-post.js';

export const ALERTNAME = 'MeshSoakCheck';

/** How many resend intervals a firing alert stays valid without being re-sent. */
export const ENDS_AT_RESENDS = 3;

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface AlertmanagerOptions extends JsonPostOptions {
  /** Alertmanager's base URL; alerts go to its /api/v2/alerts. */
  url: string;
  /** How often the daemon re-sends firing alerts. */
  resendMs: number;
}

// Alertmanager 0.25 refuses label names outside the classic charset.
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function alertLabels(e: AlertEvent): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.labels)) {
    // Like Prometheus alerting rules: internal (__name__ …) and empty labels do not identify an alert.
    if (LABEL_NAME.test(k) && !k.startsWith('__') && v !== '') labels[k] = v;
  }
  // Ours win over the series': an alert must always be findable by suite and check.
  return { ...labels, alertname: ALERTNAME, suite: e.suite, check: e.check, severity: e.severity };
}

/** The alerts for a batch: pure; firing ones stay valid ENDS_AT_RESENDS resends past `nowMs`. */
export function renderAlertmanagerAlerts(events: AlertEvent[], nowMs: number, resendMs: number): AlertmanagerAlert[] {
  return events.map((e) => {
    const startsMs = e.startsAt.getTime();
    const endsMs = e.status === 'resolved' ? (e.endsAt?.getTime() ?? nowMs) : nowMs + resendMs * ENDS_AT_RESENDS;
    const annotations: Record<string, string> = { value: formatValue(e.value) };
    if (e.summary) annotations.summary = e.summary;
    if (e.description) annotations.description = e.description;
    // An annotation, not a label: the resolution (after the disruption) must match the firing alert.
    if (e.disruption) annotations.disruption = e.disruption;
    return {
      labels: alertLabels(e),
      annotations,
      startsAt: new Date(startsMs).toISOString(),
      // Alertmanager rejects an end before the start.
      endsAt: new Date(Math.max(endsMs, startsMs)).toISOString(),
      generatorURL: e.generatorURL,
    };
  });
}

export class AlertmanagerNotifier extends JsonPostNotifier<AlertmanagerAlert[]> {
  constructor(opts: AlertmanagerOptions) {
    super((events, nowMs) => renderAlertmanagerAlerts(events, nowMs, opts.resendMs), {
      ...opts,
      url: `${opts.url.replace(/\/+$/, '')}/api/v2/alerts`,
    });
  }
}
