// The harness itself: every server starts, answers, survives what tests do to it
// (crash, restart) and is gone after stop().

import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { freePort, startAlertmanager, startPrometheus, startRedis, startSyntheticTarget, waitFor } from './index.js';

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let n = 0;
    await waitFor(() => ++n >= 3, { timeoutMs: 15_000, intervalMs: 1, what: 'three calls' });
    expect(n).toBe(3);
  });

  it('names what it waited for, and the last error, on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still booting');
        },
        { timeoutMs: 50, intervalMs: 10, what: 'the widget' },
      ),
    ).rejects.toThrow(/timed out after \d+ ms \(\d+ attempts\) waiting for the widget \(last error: still booting\)/);
  });

  it('reports what it last saw on timeout', async () => {
    let depth = 0;
    await expect(waitFor(() => ++depth > 1e9, { timeoutMs: 30, intervalMs: 5, what: 'a deep queue', seen: () => ({ depth }) })).rejects.toThrow(
      /waiting for a deep queue; last saw: \{"depth":\d+\}/,
    );
  });
});

describe('freePort', () => {
  it('gives distinct usable ports', async () => {
    const a = await freePort();
    const b = await freePort();
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});

describe('startRedis', () => {
  it('serves, loses data on kill9 without AOF, and comes back on the same port', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
      await redis.kill9();
      await redis.restart();
      await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG', {
        timeoutMs: 30_000,
        what: 'the client to reconnect',
      });
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('keeps data across kill9 with appendonly', async () => {
    const redis = await startRedis({ appendonly: true });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: true });
    try {
      await client.connect();
      await client.set('k', 'kept');
      await redis.kill9();
      await redis.restart();
      await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG', {
        timeoutMs: 30_000,
        what: 'the client to reconnect',
      });
      expect(await client.get('k')).toBe('kept');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});

describe('startAlertmanager', () => {
  it('accepts alerts on API v2 and stops', async () => {
    const am = await startAlertmanager({
      configYaml: 'route: { receiver: none, group_wait: 0s }\nreceivers: [ { name: none } ]\n',
    });
    try {
      const post = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'HarnessTest' } }]),
      });
      expect(post.status).toBe(200);
      const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
      expect(alerts.map((a) => a.labels.alertname)).toContain('HarnessTest');
    } finally {
      await am.stop();
    }
    await expect(fetch(`${am.url}/-/ready`)).rejects.toThrow();
  });
});

describe('startPrometheus with a synthetic target', () => {
  it('scrapes series as they appear, change and disappear; stop removes the temp dir', async () => {
    const target = await startSyntheticTarget();
    const prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
    const value = async (): Promise<string | undefined> => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('harness_gauge{x="1"}')}`);
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return body.data.result[0]?.value[1];
    };
    try {
      target.set('harness_gauge', { x: '1' }, 7);
      await waitFor(async () => (await value()) === '7', { timeoutMs: 60_000, intervalMs: 250, what: 'value 7' });
      target.set('harness_gauge', { x: '1' }, 8);
      await waitFor(async () => (await value()) === '8', { timeoutMs: 60_000, intervalMs: 250, what: 'value 8' });
      target.remove('harness_gauge', { x: '1' });
      await waitFor(async () => (await value()) === undefined, { timeoutMs: 60_000, intervalMs: 250, what: 'staleness' });
      await prom.reload();
    } finally {
      await prom.stop();
      await target.stop();
    }
    expect(existsSync(prom.dataDir)).toBe(false);
  });

  it('fails to start with the log tail in the error', async () => {
    await expect(startPrometheus({ extraArgs: ['--no-such-flag'] })).rejects.toThrow(/Prometheus on .* failed[\s\S]*no-such-flag/);
  });
});
