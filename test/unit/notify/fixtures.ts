// Alert events as the check engine would hand them over.
import type { AlertEvent } from '../../../src/adapters/notify/notifier.js';

export function firing(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    status: 'firing',
    suite: 'graceful-shutdown',
    check: '5xx-rate',
    severity: 'critical',
    labels: { destination_service: 'httpbin', team: 'mesh' },
    summary: '5xx rate is 0.25',
    description: 'Requests failed during the rolling restart.',
    value: 0.25,
    startsAt: new Date('2026-11-25T10:00:00.000Z'),
    generatorURL: 'http://prom.test:9090/graph?g0.expr=up&g0.tab=0',
    ...overrides,
  };
}

export function resolved(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return firing({ status: 'resolved', value: 0, endsAt: new Date('2026-11-25T10:05:00.000Z'), ...overrides });
}
