// Against a real Alertmanager (test/harness): an alert sent by AlertmanagerNotifier reaches a
// webhook receiver with our labels, annotations and graph link, and its resolution follows.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationDispatcher } from '../../../src/adapters/notify/dispatcher.js';
import { AlertmanagerNotifier, ALERTNAME } from '../../../src/adapters/notify/alertmanager.js';
import { generatorUrl } from '../../../src/adapters/notify/notifier.js';
import { startAlertmanager, type RunningAlertmanager } from '../../harness/index.js';
import { waitFor } from '../../harness/index.js';
import { firing, resolved } from '../../unit/notify/fixtures.js';
import { startReceiver, type Receiver } from '../../unit/notify/receiver.js';

interface AmWebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
}
interface AmWebhook {
  status: string;
  alerts: AmWebhookAlert[];
}

let rx: Receiver | undefined;
let am: RunningAlertmanager | undefined;

beforeAll(async () => {
  rx = await startReceiver();
  am = await startAlertmanager({
    configYaml: `
route:
  receiver: rx
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  group_by: [alertname, suite, check]
receivers:
  - name: rx
    webhook_configs:
      - url: ${rx.url}/am
        send_resolved: true
`,
  });
});

afterAll(async () => {
  await am?.stop();
  await rx?.close();
});

const notifications = (): AmWebhook[] => (rx?.received ?? []).filter((r) => r.path === '/am').map((r) => r.body as AmWebhook);

describe('AlertmanagerNotifier with a real Alertmanager', () => {
  it('delivers a firing alert and then its resolution', async () => {
    const notifier = new AlertmanagerNotifier({ url: am!.url, resendMs: 60_000 });
    const link = generatorUrl('http://prom.test:9090', 'sum(rate(istio_requests_total{response_code=~"5.."}[1m])) > 0');
    const startsAt = new Date(Date.now() - 60_000);
    const labels = { destination_service: 'httpbin', check: 'spoofed' };
    await notifier.notify([firing({ labels, generatorURL: link, startsAt })]);

    await waitFor(() => notifications().some((n) => n.status === 'firing'), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'Alertmanager to deliver the firing alert',
    });
    const fired = notifications().find((n) => n.status === 'firing')!.alerts[0]!;
    expect(fired.labels).toEqual({
      alertname: ALERTNAME,
      suite: 'graceful-shutdown',
      check: '5xx-rate',
      severity: 'critical',
      destination_service: 'httpbin',
    });
    expect(fired.annotations).toEqual({
      summary: '5xx rate is 0.25',
      description: 'Requests failed during the rolling restart.',
      value: '0.25',
    });
    expect(fired.generatorURL).toBe(link);

    await notifier.notify([resolved({ labels, generatorURL: link, startsAt, endsAt: new Date() })]);
    await waitFor(() => notifications().some((n) => n.status === 'resolved'), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'Alertmanager to deliver the resolution',
    });
    const done = notifications().find((n) => n.status === 'resolved')!.alerts[0]!;
    expect(done.status).toBe('resolved');
    expect(done.labels.check).toBe('5xx-rate');
  });

  it('keeps a dispatched alert active until its re-send window ends', async () => {
    const outcomes: string[] = [];
    const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
    const d = new NotificationDispatcher({
      sinks: [{ name: 'alertmanager', notifier: new AlertmanagerNotifier({ url: am!.url, resendMs: 600_000 }), resendFiring: true }],
      onOutcome: (_sink, outcome) => outcomes.push(outcome),
      logger: quiet,
    });
    try {
      const sentAt = Date.now();
      d.enqueue([firing({ check: 'resent', startsAt: new Date() })]);
      expect(await d.flush(10_000)).toBe(true);
      expect(d.resend(d.firing())).toBe(1);
      expect(await d.flush(10_000)).toBe(true);
      expect(outcomes).toHaveLength(2);
      expect(outcomes.every((o) => o === 'success')).toBe(true);
      const res = await request(`${am!.url}/api/v2/alerts?filter=check%3D%22resent%22`);
      const alerts = (await res.body.json()) as Array<{ endsAt: string; status: { state: string } }>;
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.status.state).toBe('active');
      // Three re-send intervals (30 min) ahead: Alertmanager resolves it only if mesh-soak goes quiet.
      expect(Date.parse(alerts[0]!.endsAt)).toBeGreaterThan(sentAt + 20 * 60_000);
    } finally {
      await d.close();
    }
  });
});
