// Each sink's render function, pure: events and a time in, the request body out, no network.

import { describe, expect, it } from 'vitest';
import { ALERTNAME, ENDS_AT_RESENDS, renderAlertmanagerAlerts } from '../../../src/adapters/notify/alertmanager.js';
import { renderSlackMessage } from '../../../src/adapters/notify/slack.js';
import { renderWebhookBody } from '../../../src/adapters/notify/webhook.js';
import { firing, resolved } from './fixtures.js';

const NOW = Date.parse('2026-11-25T10:01:00.000Z');

describe('renderAlertmanagerAlerts', () => {
  it('keeps a firing alert valid for ENDS_AT_RESENDS resends past the time it is given', () => {
    const [alert] = renderAlertmanagerAlerts([firing()], NOW, 60_000);
    expect(alert?.labels.alertname).toBe(ALERTNAME);
    expect(alert?.endsAt).toBe(new Date(NOW + ENDS_AT_RESENDS * 60_000).toISOString());
  });

  it('ends a resolution at its own end, or at the time given when it has none', () => {
    expect(renderAlertmanagerAlerts([resolved()], NOW, 60_000)[0]?.endsAt).toBe('2026-11-25T10:05:00.000Z');
    expect(renderAlertmanagerAlerts([resolved({ endsAt: undefined })], NOW, 60_000)[0]?.endsAt).toBe(new Date(NOW).toISOString());
  });

  it('never ends an alert before it started', () => {
    const early = Date.parse('2026-11-25T09:00:00.000Z');
    expect(renderAlertmanagerAlerts([resolved({ endsAt: undefined })], early, 60_000)[0]?.endsAt).toBe('2026-11-25T10:00:00.000Z');
  });
});

describe('renderWebhookBody', () => {
  it('dates a resolution without an end with the time given', () => {
    const body = renderWebhookBody([firing(), resolved({ endsAt: undefined })], NOW);
    expect(body.version).toBe(1);
    expect(body.events.map((e) => e.endsAt)).toEqual([null, new Date(NOW).toISOString()]);
  });
});

describe('renderSlackMessage', () => {
  it('drops the blocks beyond Slack’s limit and keeps every line of text', () => {
    const many = Array.from({ length: 51 }, (_, i) => firing({ check: `c${i}` }));
    const msg = renderSlackMessage(many);
    expect(msg.blocks).toBeUndefined();
    expect(msg.text.split('\n')).toHaveLength(51);
  });
});
