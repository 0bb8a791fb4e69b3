// The one abortable sleep and the one timeout helper: an abort rejects with its reason and
// leaves no timer behind; a timeout resolves 'timeout' rather than rejecting.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep, withTimeout } from '../../../src/shared/time.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('rejects with the reason when aborted during the wait, and clears its timer', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    const reason = new Error('shutting down');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort('lost the lock');
    await expect(sleep(60_000, ac.signal)).rejects.toBe('lost the lock');
  });
});

describe('withTimeout', () => {
  it('passes the value through when the promise wins, and clears its timer', async () => {
    vi.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves 'timeout' when the time runs out first", async () => {
    vi.useFakeTimers();
    const p = withTimeout(new Promise(() => undefined), 1000);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(p).resolves.toBe('timeout');
  });

  it('passes a rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
  });
});
