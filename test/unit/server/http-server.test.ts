// The HTTP routing over a fake backend: status codes a user or a probe sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startHttpServer, type RunningServer, type SuiteAction } from '../../../src/server/http-server.js';

let server: RunningServer;
let ready = true;
const actions: Array<[string, SuiteAction]> = [];
let base = '';

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    adminToken: () => 'tok',
    backend: {
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'mesh_soak_redis_up 1\n' }),
      readiness: async () => (ready ? { ready: true, reasons: [] } : { ready: false, reasons: ['redis unreachable'] }),
      status: async () => ({ suites: [] }),
      suiteAction: async (suite, action) => {
        if (suite !== 'web') return { result: 'not-found' };
        actions.push([suite, action]);
        return { result: 'ok' };
      },
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => server.close());

describe('http server', () => {
  it('serves metrics, status, a page at / and 404 elsewhere', async () => {
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('mesh_soak_redis_up 1');
    expect(await (await fetch(`${base}/api/v1/status`)).json()).toEqual({ suites: [] });
    expect((await fetch(`${base}/`)).headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('says why it is not ready', async () => {
    ready = false;
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, reasons: ['redis unreachable'] });
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('runs an action only with the token, and only on POST', async () => {
    const auth = { authorization: 'Bearer tok' };
    expect((await fetch(`${base}/api/v1/suites/web/pause`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${base}/api/v1/suites/web/pause`, { headers: auth })).status).toBe(405);
    expect((await fetch(`${base}/api/v1/suites/db/pause`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/suites/web/trigger`, { method: 'POST', headers: auth })).status).toBe(202);
    expect(actions).toEqual([['web', 'trigger']]);
  });
});
