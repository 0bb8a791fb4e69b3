// CheckStore's format 2 writes only the fields whose text differs from what it knows Redis
// holds; a read that crossed a save (a scrape's gauge refresh beside a tick) must not make it
// believe Redis holds the older texts. One real Redis (test/contract/redis-fixture.ts).

import { describe, expect, it } from 'vitest';
import { useRedis } from '../../contract/redis-fixture.js';
import { CheckStore } from '../../../src/adapters/redis/check-store.js';
import { stateKeys } from '../../../src/adapters/redis/keys.js';
import type { CheckRecord } from '../../../src/checks/types.js';

const shared = useRedis();

const record = (at: number, state: 'ok' | 'failing'): CheckRecord => ({
  state,
  consecutiveErrors: 0,
  lastEvalAt: at,
  instances: { '{}': { key: '{}', labels: {}, state, value: at, activeSince: null, failingSince: state === 'failing' ? at : null, lastTrueAt: null } },
});

describe('CheckStore format 2', () => {
  it('a read sent before a save and answered after it does not make the next save skip a changed field', async () => {
    const keys = stateKeys(shared.prefix());
    const store = new CheckStore(shared.client(), keys);
    await store.save('web', { a: record(1, 'ok') });
    await store.load('web');
    const crossing = store.load('web');
    await store.save('web', { a: record(2, 'failing') });
    expect(await crossing).toEqual({ a: record(1, 'ok') });
    // Its stable part is the first save's text again: it must still be written over the second's.
    await store.save('web', { a: record(3, 'ok') });
    expect(await new CheckStore(shared.client(), keys).load('web')).toEqual({ a: record(3, 'ok') });
  });
});
