import { describe, expect, it } from 'vitest';
import { alertEventsFor, firingEventsFromState } from '../../../src/checks/alert-event.js';
import type { GroupTransition } from '../../../src/checks/evaluate-group.js';
import { generatorUrl } from '../../../src/adapters/notify/notifier.js';
import { check } from '../../integration/daemon/fixtures.js';

const spec = check('5xx', 'sum(rate(x[1m]))', '> 0', { labels: { team: 'mesh' } });
const specs = new Map([[spec.name, spec]]);
const t = (from: GroupTransition['from'], to: GroupTransition['to']): GroupTransition => ({
  key: '{pod="a"}',
  labels: { pod: 'a' },
  from,
  to,
  value: 3,
  at: 10_000,
  check: '5xx',
  severity: 'critical',
  summary: 'too many 5xx',
});

describe('alertEventsFor', () => {
  it('fires when an instance turns failing, with series and check labels and a graph link', () => {
    const [e] = alertEventsFor('web', [t('pending', 'failing')], specs, 'http://prom:9090/', () => null);
    expect(e).toMatchObject({ status: 'firing', suite: 'web', check: '5xx', severity: 'critical', value: 3, summary: 'too many 5xx' });
    expect(e?.labels).toEqual({ team: 'mesh', pod: 'a' });
    expect(e?.startsAt).toEqual(new Date(10_000));
    expect(e?.generatorURL).toBe('http://prom:9090/graph?g0.expr=sum(rate(x%5B1m%5D))&g0.tab=0');
  });

  it('resolves when a failing instance turns ok or skipped, keeping the original start', () => {
    const events = alertEventsFor('web', [t('failing', 'ok'), t('failing', 'skipped')], specs, 'http://p', () => 4000);
    expect(events.map((e) => e.status)).toEqual(['resolved', 'resolved']);
    expect(events[0]?.startsAt).toEqual(new Date(4000));
    expect(events[0]?.endsAt).toEqual(new Date(10_000));
  });

  it('sends nothing when a failing check becomes unknown, or for other changes', () => {
    expect(alertEventsFor('web', [t('failing', 'unknown'), t('ok', 'pending'), t('unknown', 'ok')], specs, 'http://p', () => null)).toEqual([]);
  });

  it('builds a link under a path prefix', () => {
    expect(generatorUrl('https://h/prom', 'up')).toBe('https://h/prom/graph?g0.expr=up&g0.tab=0');
  });
});

describe('firingEventsFromState', () => {
  it('turns every failing instance of the stored records into a firing event, and nothing else', () => {
    const inst = (pod: string, state: 'failing' | 'ok' | 'pending') => ({
      key: `{pod="${pod}"}`,
      labels: { pod },
      state,
      value: 4,
      activeSince: 1000,
      failingSince: state === 'failing' ? 2000 : null,
      lastTrueAt: 3000,
      summary: `pod ${pod} fails`,
    });
    const records = {
      '5xx': {
        state: 'failing' as const,
        consecutiveErrors: 0,
        lastEvalAt: 3000,
        instances: { a: inst('a', 'failing'), b: inst('b', 'ok'), c: inst('c', 'pending') },
      },
      removed: { state: 'failing' as const, consecutiveErrors: 0, lastEvalAt: 3000, instances: { a: inst('a', 'failing') } },
    };
    const events = firingEventsFromState('web', records, specs, 'http://prom:9090');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: 'firing',
      suite: 'web',
      check: '5xx',
      severity: 'critical',
      labels: { team: 'mesh', pod: 'a' },
      summary: 'pod a fails',
      value: 4,
      startsAt: new Date(2000),
      generatorURL: generatorUrl('http://prom:9090', spec.query),
    });
  });
});
