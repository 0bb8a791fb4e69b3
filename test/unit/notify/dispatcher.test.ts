// The dispatcher as the daemon sees it: enqueue never waits, deliveries retry then give up,
// queues stay bounded, Alertmanager gets re-sends, resolutions go out once, logs stay clean.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AlertmanagerNotifier } from '../../../src/adapters/notify/alertmanager.js';
import { NotificationDispatcher, type NotifyOutcome, type Sink } from '../../../src/adapters/notify/dispatcher.js';
import type { AlertEvent } from '../../../src/adapters/notify/notifier.js';
import { SlackNotifier } from '../../../src/adapters/notify/slack.js';
import { WebhookNotifier } from '../../../src/adapters/notify/webhook.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { waitFor } from '../../harness/index.js';
import { firing, resolved } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
});

let outcomes: Array<[string, NotifyOutcome]>;
let logText: string[];
let dispatchers: NotificationDispatcher[];

beforeEach(() => {
  rx.received.length = 0;
  rx.script = [];
  rx.fallbackStatus = 200;
  rx.release();
  outcomes = [];
  logText = [];
  dispatchers = [];
});
afterEach(async () => {
  rx.release();
  await Promise.all(dispatchers.map((d) => d.close()));
});

function logger(): ReturnType<typeof createLogger> {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText.push(chunk.toString());
      cb();
    },
  });
  return createLogger({ pretty: false, level: 'debug', destination });
}

function dispatcher(sinks: Sink[], extra: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {}): NotificationDispatcher {
  const d = new NotificationDispatcher({
    sinks,
    onOutcome: (sink, outcome) => outcomes.push([sink, outcome]),
    logger: logger(),
    baseDelayMs: 5,
    maxDelayMs: 20,
    random: () => 0.5,
    ...extra,
  });
  dispatchers.push(d);
  return d;
}

const count = (sink: string, outcome: NotifyOutcome): number =>
  outcomes.filter(([s, o]) => s === sink && o === outcome).length;

const webhook = (path = '/hook'): Sink => ({ name: 'hook', notifier: new WebhookNotifier({ url: `${rx.url}${path}`, timeoutMs: 2000 }) });

describe('NotificationDispatcher', () => {
  it('retries a 500 and counts the event delivered once the receiver recovers', async () => {
    rx.script = [500, 500];
    const d = dispatcher([webhook()]);
    d.enqueue([firing()]);
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received).toHaveLength(3);
    expect(outcomes).toEqual([['hook', 'success']]);
  });

  it('gives up after maxAttempts and counts a failure', async () => {
    rx.fallbackStatus = 503;
    const d = dispatcher([webhook()], { maxAttempts: 4 });
    d.enqueue([firing(), firing({ check: 'other' })]);
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received).toHaveLength(4);
    expect(outcomes).toEqual([
      ['hook', 'failure'],
      ['hook', 'failure'],
    ]);
    expect(logText.join('')).toContain('giving up');
  });

  it('does not retry what the receiver refuses as bad (400)', async () => {
    rx.script = [400];
    const d = dispatcher([webhook()]);
    d.enqueue([firing()]);
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received).toHaveLength(1);
    expect(outcomes).toEqual([['hook', 'failure']]);
  });

  it('returns from enqueue before a slow receiver answers', async () => {
    rx.hold = true;
    const d = dispatcher([webhook()]);
    d.enqueue([firing()]);
    // enqueue has returned; the request is still hanging at the receiver.
    await waitFor(() => rx.received.length === 1, { timeoutMs: 15_000, intervalMs: 10, what: 'the request to arrive' });
    expect(outcomes).toEqual([]);
    rx.release();
    expect(await d.flush(10_000)).toBe(true);
    expect(outcomes).toEqual([['hook', 'success']]);
  });

  it('keeps each sink independent: a dead sink does not hold up a healthy one', async () => {
    const dead: Sink = { name: 'dead', notifier: new WebhookNotifier({ url: 'http://127.0.0.1:9/x', timeoutMs: 500 }) };
    const d = dispatcher([dead, webhook()], { maxAttempts: 3 });
    d.enqueue([firing()]);
    await waitFor(() => count('hook', 'success') === 1, { timeoutMs: 15_000, intervalMs: 10, what: 'the healthy sink' });
    expect(await d.flush(10_000)).toBe(true);
    expect(count('dead', 'failure')).toBe(1);
  });

  it('drops the oldest events beyond the queue bound and counts them', async () => {
    const d = dispatcher([webhook()], { maxQueue: 3 });
    for (let i = 0; i < 5; i++) d.enqueue([firing({ check: `c${i}` })]);
    expect(await d.flush(10_000)).toBe(true);
    expect(count('hook', 'dropped')).toBe(2);
    expect(count('hook', 'success')).toBe(3);
    const sent = rx.received.flatMap((r) => (r.body as { events: AlertEvent[] }).events.map((e) => e.check));
    expect(sent).toEqual(['c2', 'c3', 'c4']);
  });

  it('sends a resolution once, and again only after the alert fired anew', async () => {
    const d = dispatcher([webhook()]);
    d.enqueue([firing()]);
    d.enqueue([resolved()]);
    d.enqueue([resolved()]);
    expect(await d.flush(10_000)).toBe(true);
    d.enqueue([firing()]);
    d.enqueue([resolved()]);
    expect(await d.flush(10_000)).toBe(true);
    const statuses = rx.received.flatMap((r) => (r.body as { events: AlertEvent[] }).events.map((e) => e.status));
    expect(statuses).toEqual(['firing', 'resolved', 'firing', 'resolved']);
    expect(d.firing()).toEqual([]);
  });

  it('re-sends the firing alerts to Alertmanager only', async () => {
    const am: Sink = { name: 'alertmanager', notifier: new AlertmanagerNotifier({ url: rx.url, resendMs: 1000 }), resendFiring: true };
    const d = dispatcher([am, webhook()]);
    d.enqueue([firing({ check: 'a' }), firing({ check: 'b' })]);
    d.enqueue([resolved({ check: 'b' })]);
    expect(await d.flush(10_000)).toBe(true);
    rx.received.length = 0;
    expect(d.resend(d.firing())).toBe(1);
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    const labels = (rx.received[0]!.body as Array<{ labels: Record<string, string> }>).map((a) => a.labels.check);
    expect(labels).toEqual(['a']);
  });

  it('re-sends alerts it never fired itself (from shared state) to Alertmanager only, firing ones only', async () => {
    const am: Sink = { name: 'alertmanager', notifier: new AlertmanagerNotifier({ url: rx.url, resendMs: 1000 }), resendFiring: true };
    const d = dispatcher([am, webhook()]);
    expect(d.resend([firing({ check: 'from-another-replica' }), resolved({ check: 'ignored' })])).toBe(1);
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received.map((r) => r.path)).toEqual(['/api/v2/alerts']);
    const labels = (rx.received[0]!.body as Array<{ labels: Record<string, string> }>).map((a) => a.labels.check);
    expect(labels).toEqual(['from-another-replica']);
    // Re-sends are not new alerts: nothing this dispatcher fires, nothing for the webhook.
    expect(d.firing()).toEqual([]);
  });

  it('does not pile up re-sends behind a sink that is still retrying', async () => {
    rx.hold = true;
    const am: Sink = { name: 'alertmanager', notifier: new AlertmanagerNotifier({ url: rx.url, resendMs: 1000 }), resendFiring: true };
    const d = dispatcher([am]);
    d.enqueue([firing({ check: 'a' })]);
    await waitFor(() => rx.received.length === 1, { timeoutMs: 15_000, intervalMs: 10, what: 'the first send' });
    expect(d.resend(d.firing())).toBe(1);
    expect(d.resend(d.firing())).toBe(0);
    rx.release();
    expect(await d.flush(10_000)).toBe(true);
    expect(rx.received).toHaveLength(2);
  });

  it('on close, drops what is still queued and stops retrying', async () => {
    rx.fallbackStatus = 503;
    const d = dispatcher([webhook()], { baseDelayMs: 60_000, maxDelayMs: 60_000, batchSize: 1 });
    d.enqueue([firing({ check: 'a' }), firing({ check: 'b' })]);
    await waitFor(() => rx.received.length === 1, { timeoutMs: 15_000, intervalMs: 10, what: 'the first attempt' });
    await d.close();
    expect(count('hook', 'dropped')).toBe(1);
    expect(count('hook', 'failure')).toBe(1);
    d.enqueue([firing({ check: 'c' })]);
    expect(count('hook', 'dropped')).toBe(2);
  });

  it('reports a flush that cannot finish in time', async () => {
    rx.hold = true;
    const d = dispatcher([webhook()]);
    d.enqueue([firing()]);
    expect(await d.flush(50)).toBe(false);
  });

  it('never logs a webhook URL or header', async () => {
    rx.fallbackStatus = 500;
    const slack: Sink = {
      name: 'slack',
      notifier: new SlackNotifier({ url: `${rx.url}/services/T1/B1/very-secret-path`, headers: { Authorization: 'Bearer hdr-secret' } }),
    };
    const d = dispatcher([slack], { maxAttempts: 2 });
    d.enqueue([firing()]);
    expect(await d.flush(10_000)).toBe(true);
    const text = logText.join('');
    expect(text).toContain('"sink":"slack"');
    expect(text).not.toContain('very-secret-path');
    expect(text).not.toContain('hdr-secret');
    expect(text).not.toContain(rx.url);
  });
});
