import { describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import { backoffMs, DEFAULT_RETRY, toKubeError, withRetry } from '../../../src/adapters/kube/retry.js';
import { KubeError } from '../../../src/adapters/kube/errors.js';
import { requestLabels } from '../../../src/adapters/kube/request-labels.js';

const noSleep = async (): Promise<void> => {};

describe('withRetry', () => {
  it('retries 5xx, 429, 409, timeouts and connection errors, then succeeds', async () => {
    const errors = [
      new KubeError('http', 'x', { status: 500 }),
      new KubeError('http', 'x', { status: 429, retryAfterMs: 0 }),
      new KubeError('http', 'x', { status: 409 }),
      new KubeError('timeout', 'x'),
      new KubeError('unreachable', 'x'),
    ];
    let calls = 0;
    const out = await withRetry({ ...DEFAULT_RETRY, attempts: 6 }, 'op', async () => {
      const e = errors[calls++];
      if (e) throw e;
      return 'ok';
    }, { sleep: noSleep });
    expect(out).toBe('ok');
    expect(calls).toBe(6);
  });

  it('does not retry other 4xx', async () => {
    let calls = 0;
    await expect(
      withRetry(DEFAULT_RETRY, 'op', async () => {
        calls++;
        throw new KubeError('http', 'forbidden', { status: 403 });
      }, { sleep: noSleep }),
    ).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);
  });

  it('stops after the configured attempts and says so', async () => {
    let calls = 0;
    const err = await withRetry({ ...DEFAULT_RETRY, attempts: 3 }, 'op', async () => {
      calls++;
      throw new KubeError('http', 'boom', { status: 502 });
    }, { sleep: noSleep }).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(err).toMatchObject({ kind: 'http', status: 502 });
    expect((err as Error).message).toContain('gave up after 3 attempts');
  });

  it('waits what Retry-After asks and never starts an attempt past the total budget', async () => {
    const waits: number[] = [];
    const err = await withRetry({ ...DEFAULT_RETRY, attempts: 10, totalMs: 1_000 }, 'op', async () => {
      throw new KubeError('http', 'slow down', { status: 429, retryAfterMs: 400 });
    }, { sleep: async (ms) => void waits.push(ms) }).catch((e: unknown) => e);
    expect(waits.every((w) => w === 400)).toBe(true);
    expect(waits.length).toBeLessThanOrEqual(2);
    expect(err).toBeInstanceOf(KubeError);
  });

  it('backoff grows exponentially up to the cap, with jitter inside [ceiling/2, ceiling]', () => {
    const p = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffMs(p, 1, () => 0)).toBe(50);
    expect(backoffMs(p, 1, () => 1)).toBe(100);
    expect(backoffMs(p, 3, () => 1)).toBe(400);
    expect(backoffMs(p, 10, () => 1)).toBe(1_000);
  });

  it('measures the total budget on the clock it is given', async () => {
    // Every attempt takes 30 s on this clock; the sleeps take none.
    let t = 1_000_000;
    let calls = 0;
    const err = await withRetry({ ...DEFAULT_RETRY, attempts: 10, totalMs: 60_000 }, 'op', async () => {
      calls++;
      t += 30_000;
      throw new KubeError('http', 'x', { status: 503 });
    }, { sleep: noSleep, now: () => t }).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect((err as Error).message).toContain('gave up after 2 attempts');
  });

  it('dates a Retry-After given as an HTTP date from the clock it is given', async () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    const api = new ApiException(429, 'slow down', '{}', { 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' });
    expect(toKubeError(api, 'op', () => now)).toMatchObject({ status: 429, retryAfterMs: 10_000 });
    const waits: number[] = [];
    let calls = 0;
    await withRetry(DEFAULT_RETRY, 'op', async () => {
      if (calls++ === 0) throw api;
      return 'ok';
    }, { sleep: async (ms) => void waits.push(ms), now: () => now });
    expect(waits).toEqual([10_000]);
  });

  it('passes through errors that are not API failures (bugs stay visible)', async () => {
    await expect(withRetry(DEFAULT_RETRY, 'op', async () => {
      throw new TypeError('bug');
    }, { sleep: noSleep })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('request labels for mesh_soak_kube_requests_total', () => {
  it.each([
    ['GET', '/apis/apps/v1/namespaces/ns/deployments/web', undefined, 'get', 'deployments'],
    ['GET', '/api/v1/namespaces/ns/pods', undefined, 'list', 'pods'],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/web/scale', 'application/merge-patch+json', 'patch', 'deployments/scale'],
    ['PATCH', '/api/v1/namespaces/ns', 'application/apply-patch+yaml', 'apply', 'namespaces'],
    ['DELETE', '/api/v1/namespaces/ns/pods/p', undefined, 'delete', 'pods'],
    ['GET', '/apis/networking.istio.io/v1', undefined, 'get', 'discovery'],
  ])('%s %s', (method, path, ct, verb, resource) => {
    expect(requestLabels(method, path, ct)).toEqual({ verb, resource });
  });
});
