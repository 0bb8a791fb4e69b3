// Plain JSON webhook sink: `{ version: 1, events: [...] }`, one POST per batch, with the
// user's custom headers. The shape is versioned because receivers are other people's code.
import { formatValue, type AlertEvent } from './notifier.js';
import { JsonPostNotifier, type JsonPostOptions } from './http-post.js';

export interface WebhookEventBody {
  status: 'firing' | 'resolved';
  suite: string;
  /** The suite instance's cluster (config `clusters:`); absent with one implicit cluster. */
  cluster?: string;
  check: string;
  severity: string;
  labels: Record<string, string>;
  summary: string;
  description: string;
  /** JSON has no NaN/Inf: those (and no data) are null here, and spelled out in valueText. */
  value: number | null;
  valueText: string;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
  /** The disruption in progress (or just ended) when the alert fired, when there was one. */
  disruption?: string;
}

export interface WebhookBody {
  version: 1;
  events: WebhookEventBody[];
}

export type WebhookOptions = JsonPostOptions;

/** The body for a batch: pure; `nowMs` ends a resolution that carries no end of its own. */
export function renderWebhookBody(events: AlertEvent[], nowMs: number): WebhookBody {
  return {
    version: 1,
    events: events.map((e) => ({
      status: e.status,
      suite: e.suite,
      ...(e.cluster !== undefined ? { cluster: e.cluster } : {}),
      check: e.check,
      severity: e.severity,
      labels: { ...e.labels },
      summary: e.summary,
      description: e.description,
      value: e.value !== null && Number.isFinite(e.value) ? e.value : null,
      valueText: formatValue(e.value),
      startsAt: e.startsAt.toISOString(),
      endsAt: e.status === 'resolved' ? (e.endsAt ?? new Date(nowMs)).toISOString() : null,
      generatorURL: e.generatorURL,
      ...(e.disruption ? { disruption: e.disruption } : {}),
    })),
  };
}

export class WebhookNotifier extends JsonPostNotifier<WebhookBody> {
  constructor(opts: WebhookOptions) {
    super(renderWebhookBody, opts);
  }
}
