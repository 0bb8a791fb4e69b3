// What each sink puts on the wire, checked at a real loopback HTTP receiver.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertmanagerNotifier, ALERTNAME, renderAlertmanagerAlerts } from '../../../src/adapters/notify/alertmanager.js';
import { JsonPostNotifier } from '../../../src/adapters/notify/http-post.js';
import { generatorUrl } from '../../../src/adapters/notify/notifier.js';
import { NotifyFault } from '../../../src/adapters/notify/notify-fault.js';
import { renderSlackMessage, SlackNotifier } from '../../../src/adapters/notify/slack.js';
import { renderWebhookBody, WebhookNotifier } from '../../../src/adapters/notify/webhook.js';
import { createSinks } from '../../../src/adapters/notify/sinks.js';
import { firing, resolved } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
});
beforeEach(() => {
  rx.received.length = 0;
  rx.script = [];
  rx.fallbackStatus = 200;
  rx.release();
});

const NOW = Date.parse('2026-11-25T10:01:00.000Z');

describe('generatorUrl', () => {
  it('links to the Prometheus graph with the expression url-encoded', () => {
    expect(generatorUrl('http://prom:9090/', 'sum(rate(x{a="b"}[1m])) > 0')).toBe(
      'http://prom:9090/graph?g0.expr=sum(rate(x%7Ba%3D%22b%22%7D%5B1m%5D))%20%3E%200&g0.tab=0',
    );
  });
});

describe('AlertmanagerNotifier', () => {
  it('POSTs v2 alerts with our labels, annotations and an endsAt three resends ahead', async () => {
    const n = new AlertmanagerNotifier({ url: `${rx.url}/`, resendMs: 60_000, now: () => NOW });
    await n.notify([firing({ labels: { team: 'mesh', suite: 'spoofed', alertname: 'spoofed', __name__: 'x', empty: '' } })]);
    expect(rx.received).toHaveLength(1);
    const req = rx.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v2/alerts');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual([
      {
        labels: { alertname: ALERTNAME, suite: 'graceful-shutdown', check: '5xx-rate', severity: 'critical', team: 'mesh' },
        annotations: { summary: '5xx rate is 0.25', description: 'Requests failed during the rolling restart.', value: '0.25' },
        startsAt: '2026-11-25T10:00:00.000Z',
        endsAt: new Date(NOW + 180_000).toISOString(),
        generatorURL: 'http://prom.test:9090/graph?g0.expr=up&g0.tab=0',
      },
    ]);
  });

  it('sends a resolution with its end time', async () => {
    const n = new AlertmanagerNotifier({ url: rx.url, resendMs: 60_000, now: () => NOW });
    await n.notify([resolved()]);
    const [alert] = rx.received[0]!.body as Array<{ endsAt: string }>;
    expect(alert!.endsAt).toBe('2026-11-25T10:05:00.000Z');
  });

  it('turns URL credentials into Basic auth instead of sending them in the URL', async () => {
    const n = new AlertmanagerNotifier({ url: rx.url.replace('http://', 'http://am:s3cret@'), resendMs: 1000 });
    await n.notify([firing()]);
    expect(rx.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from('am:s3cret').toString('base64')}`);
  });

  it('refuses a 400 as not worth retrying, and a 503 as retryable', async () => {
    const n = new AlertmanagerNotifier({ url: rx.url, resendMs: 1000 });
    rx.script = [400, 503];
    const bad = await n.notify([firing()]).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(NotifyFault);
    expect(bad).toMatchObject({ status: 400, retryable: false, kind: 'http_status' });
    const busy = await n.notify([firing()]).catch((e: unknown) => e);
    expect(busy).toMatchObject({ status: 503, retryable: true });
  });

  it('gives up on a receiver that does not answer in time, without naming the URL', async () => {
    rx.hold = true;
    const n = new AlertmanagerNotifier({ url: `${rx.url}/hidden-path`, resendMs: 1000, timeoutMs: 200 });
    const err = await n.notify([firing()]).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'timeout', retryable: true });
    expect((err as Error).message).not.toContain('hidden-path');
  });

  it('reports an unreachable Alertmanager as a retryable network fault', async () => {
    const n = new AlertmanagerNotifier({ url: 'http://127.0.0.1:9', resendMs: 1000, timeoutMs: 1000 });
    await expect(n.notify([firing()])).rejects.toMatchObject({ kind: 'network', retryable: true });
  });
});

describe('WebhookNotifier', () => {
  it('POSTs { version: 1, events } with the custom headers', async () => {
    const n = new WebhookNotifier({ url: `${rx.url}/hook`, headers: { 'X-Token': 'abc' }, now: () => NOW });
    await n.notify([firing({ value: Number.NaN }), resolved()]);
    const req = rx.received[0]!;
    expect(req.path).toBe('/hook');
    expect(req.headers['x-token']).toBe('abc');
    expect(req.body).toEqual({
      version: 1,
      events: [
        expect.objectContaining({ status: 'firing', suite: 'graceful-shutdown', check: '5xx-rate', value: null, valueText: 'NaN', endsAt: null }),
        expect.objectContaining({ status: 'resolved', value: 0, valueText: '0', endsAt: '2026-11-25T10:05:00.000Z' }),
      ],
    });
    const first = (req.body as { events: Array<Record<string, unknown>> }).events[0]!;
    expect(first).toMatchObject({
      severity: 'critical',
      labels: { destination_service: 'httpbin', team: 'mesh' },
      summary: '5xx rate is 0.25',
      startsAt: '2026-11-25T10:00:00.000Z',
      generatorURL: 'http://prom.test:9090/graph?g0.expr=up&g0.tab=0',
    });
  });
});

describe('SlackNotifier', () => {
  it('POSTs Slack text lines for failing and resolved checks, with graph links in blocks', async () => {
    const n = new SlackNotifier({ url: `${rx.url}/services/T/B/x`, headers: { 'X-Extra': '1' } });
    await n.notify([firing({ summary: 'a < b & c' }), resolved({ summary: 'back to normal' })]);
    const req = rx.received[0]!;
    expect(req.headers['x-extra']).toBe('1');
    const body = req.body as { text: string; blocks: Array<{ text: { text: string } }> };
    expect(body.text.split('\n')).toEqual([
      ':red_circle: FAILING graceful-shutdown/5xx-rate value=0.25, a &lt; b &amp; c',
      ':large_green_circle: RESOLVED graceful-shutdown/5xx-rate value=0, back to normal',
    ]);
    expect(body.blocks).toHaveLength(2);
    expect(body.blocks[0]!.text.text).toContain('<http://prom.test:9090/graph?g0.expr=up&g0.tab=0|graph>');
  });
});

describe('one posting helper', () => {
  it('puts on the wire exactly what each sink renders for the same batch and time', async () => {
    const events = [firing(), resolved({ endsAt: undefined })];
    const sinks = [
      new AlertmanagerNotifier({ url: rx.url, resendMs: 60_000, now: () => NOW }),
      new WebhookNotifier({ url: `${rx.url}/hook`, now: () => NOW }),
      new SlackNotifier({ url: `${rx.url}/slack`, now: () => NOW }),
    ];
    for (const s of sinks) await s.notify(events);
    expect(rx.received.map((r) => r.body)).toEqual([
      renderAlertmanagerAlerts(events, NOW, 60_000),
      renderWebhookBody(events, NOW),
      renderSlackMessage(events),
    ]);
  });

  it('hands render the clock it is given, and sends nothing for an empty batch', async () => {
    const seen: number[] = [];
    const n = new JsonPostNotifier((events, nowMs) => (seen.push(nowMs), { n: events.length }), { url: `${rx.url}/x`, now: () => 42 });
    await n.notify([]);
    await n.notify([firing()]);
    expect(seen).toEqual([42]);
    expect(rx.received.map((r) => r.body)).toEqual([{ n: 1 }]);
  });
});

describe('createSinks', () => {
  it('builds Alertmanager (re-sent) and each webhook in its format, named as configured', async () => {
    const sinks = createSinks({
      alertmanager: { url: rx.url, resendMs: 60_000 },
      webhooks: [
        { name: 'slack', url: `${rx.url}/slack`, format: 'slack', headers: {} },
        { name: 'ci', url: `${rx.url}/ci`, format: 'json', headers: {} },
      ],
    });
    expect(sinks.map((s) => [s.name, s.resendFiring === true])).toEqual([
      ['alertmanager', true],
      ['slack', false],
      ['ci', false],
    ]);
    for (const s of sinks) await s.notifier.notify([firing()]);
    expect(rx.received.map((r) => r.path)).toEqual(['/api/v2/alerts', '/slack', '/ci']);
    expect(rx.received[1]!.body).toHaveProperty('text');
    expect(rx.received[2]!.body).toHaveProperty('version', 1);
  });
});

describe('generatorUrl and credentials', () => {
  it('never carries the Prometheus URL credentials into an alert link', () => {
    const link = generatorUrl('https://user:s3cret@prom.example:9090/prom/?x=1', 'up');
    expect(link).toBe('https://prom.example:9090/prom/graph?g0.expr=up&g0.tab=0');
    expect(link).not.toContain('s3cret');
  });
});
