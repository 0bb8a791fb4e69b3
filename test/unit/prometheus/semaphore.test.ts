// The semaphore bounds work in flight, serves waiters in order and survives failures.

import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../src/adapters/prometheus/semaphore.js';

describe('Semaphore', () => {
  it('never lets more than `limit` tasks run at once, and runs them all', async () => {
    const sem = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sem.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('serves waiters first come, first served', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => sem.run(async () => void order.push(n)));
    expect(sem.pending).toBe(3);
    release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3]);
  });

  it('frees the slot when a task throws, and ignores a double release', async () => {
    const sem = new Semaphore(1);
    await expect(sem.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const release = await sem.acquire();
    release();
    release();
    const a = await sem.acquire();
    let second = false;
    const b = sem.acquire().then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    a();
    (await b)();
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('Semaphore with an abort signal', () => {
  it('drops an aborted waiter from the queue and hands the slot to the next', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const controller = new AbortController();
    const aborted = sem.acquire(controller.signal);
    const next = sem.acquire();
    controller.abort(new Error('tick deadline'));
    await expect(aborted).rejects.toThrow('tick deadline');
    expect(sem.pending).toBe(1);
    release();
    (await next)();
  });

  it('refuses at once when the signal is already aborted', async () => {
    const sem = new Semaphore(1);
    await expect(sem.acquire(AbortSignal.abort(new Error('late')))).rejects.toThrow('late');
  });
});
