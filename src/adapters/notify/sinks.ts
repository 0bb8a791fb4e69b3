// Turns the config's `notify` section into dispatcher sinks: Alertmanager (with periodic
// re-sends) and each webhook in its format. Sink names are what metrics and logs show.
import type { Dispatcher } from 'undici';
import type { Config } from '../../config/model.js';
import { AlertmanagerNotifier } from './alertmanager.js';
import type { Sink } from './dispatcher.js';
import { SlackNotifier } from './slack.js';
import { WebhookNotifier } from './webhook.js';

export interface SinkOptions {
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export const ALERTMANAGER_SINK = 'alertmanager';

export function createSinks(notify: Config['notify'], opts: SinkOptions = {}): Sink[] {
  const sinks: Sink[] = [];
  if (notify.alertmanager) {
    sinks.push({
      name: ALERTMANAGER_SINK,
      notifier: new AlertmanagerNotifier({ url: notify.alertmanager.url, resendMs: notify.alertmanager.resendMs, ...opts }),
      resendFiring: true,
    });
  }
  for (const w of notify.webhooks) {
    const common = { url: w.url, headers: w.headers, ...opts };
    sinks.push({ name: w.name, notifier: w.format === 'slack' ? new SlackNotifier(common) : new WebhookNotifier(common) });
  }
  return sinks;
}
