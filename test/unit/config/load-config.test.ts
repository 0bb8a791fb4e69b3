import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const suitesDir = resolve(FIXTURES, 'suites');

async function problemsOf(file: string, env: Record<string, string> = {}): Promise<UserError> {
  const e = await loadConfig(file, { suitesDir, env }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('loadConfig on a valid config', () => {
  it('resolves defaults, durations, suites and relative paths', async () => {
    const file = resolve(FIXTURES, 'config/valid.yaml');
    const c = await loadConfig(file, { suitesDir, env: {} });
    expect(c.prometheus).toEqual({ url: 'http://127.0.0.1:9090', timeoutMs: 10_000, headers: {}, concurrency: 16, maxBodyBytes: 16 * 1024 * 1024, maxSeries: 10_000, maxInstancesPerCheck: 1000 });
    expect(c.redis.url).toBe('redis://127.0.0.1:6380');
    expect(c.kubernetes.kubeconfig).toBe(resolve(FIXTURES, 'config/kube/config'));
    expect(c.tickMs).toBe(30_000);
    expect(c.http.port).toBe(9464);
    expect(c.notify).toEqual({ webhooks: [] });
    expect(c.checks).toEqual([
      {
        name: 'pilot-xds-rejects',
        query: 'sum(pilot_total_xds_rejects)',
        fail: { op: '>', value: 0, text: '> 0' },
        forMs: 60_000,
        keepFiringForMs: 0,
        noData: 'unknown',
        nan: 'unknown',
        errorLimit: 3,
        severity: 'critical',
        labels: { team: 'mesh' },
      },
    ]);
    const [web, quiet] = c.suites;
    expect(web?.name).toBe('web');
    expect(web?.dir).toBe(resolve(suitesDir, 'web'));
    expect(web?.params).toEqual({ qps: 25, image: 'fortio/fortio:1.60' });
    expect(web?.tickMs).toBe(15_000);
    expect(web?.enabled).toBe(true);
    // The config entry's schedule replaces the suite's own `every: 5m`.
    expect(web?.disruption?.schedule).toEqual({ cron: '*/10 * * * *' });
    expect(web?.disruption?.steps).toEqual([
      { rolloutRestart: { deployment: 'web' } },
      { waitRollout: { deployment: 'web', timeoutMs: 120_000 } },
      { scale: { deployment: 'web', replicas: 3 } },
      { setEnv: { namespace: 'istio-system', env: { LAST_MANUAL_RESTART: '{{now}}', QPS: '25' } } },
      { deletePods: { selector: 'app=web', keep: 0 } },
      { sleep: { durationMs: 10_000 } },
    ]);
    expect(web?.guard).toBe('sum(rate(istio_requests_total{destination_service_namespace="soak-web"}[10m])) > 0.5');
    expect(web?.checks[0]?.query).toContain('destination_service_namespace="soak-web"');
    expect(web?.checks[0]?.summary).toBe('{{value}} 5xx/s in soak-web on {{labels.pod}}');
    expect(web?.checks[0]?.noData).toBe('ok');
    expect(web?.checks[1]?.fail).toEqual({ op: '<', value: 25, text: '< 25' });
    expect(quiet?.enabled).toBe(false);
    expect(quiet?.tickMs).toBe(30_000);
    expect(quiet?.disruption).toBeUndefined();
  });

  it('accepts a suite given as a folder path relative to the config file', async () => {
    const file = await writeTemp('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: ./quiet\n', {
      copySuite: resolve(suitesDir, 'quiet'),
    });
    const c = await loadConfig(file, { suitesDir: '/nonexistent', env: {} });
    expect(c.suites.map((s) => s.name)).toEqual(['quiet']);
  });
});

describe('${VAR} substitution', () => {
  const text = [
    'prometheus:',
    '  url: "${PROM_URL:-http://127.0.0.1:9090}"',
    "http:", "  port: ${PORT}",
    'notify:',
    '  webhooks:',
    '    - { name: slack, url: "${SLACK_WEBHOOK_URL}", format: slack }',
    '    - { name: literal, url: "http://h/$${NOT_A_VAR}" }',
    '',
  ].join('\n');

  it('takes values from the environment, defaults and escapes', async () => {
    const file = await writeTemp(text);
    const c = await loadConfig(file, { env: { SLACK_WEBHOOK_URL: 'https://hooks.example/T0/secret', PORT: '9500' }, suitesDir });
    expect(c.prometheus.url).toBe('http://127.0.0.1:9090');
    expect(c.http.port).toBe(9500);
    expect(c.notify.webhooks[0]).toEqual({ name: 'slack', url: 'https://hooks.example/T0/secret', format: 'slack', headers: {} });
    expect(c.notify.webhooks[1]?.url).toBe('http://h/${NOT_A_VAR}');
  });

  it('reports a missing variable at its scalar, naming only the variable', async () => {
    const file = await writeTemp(text);
    const e = await problemsOf(file, { PORT: '9500' });
    expect(e.problems).toEqual([
      {
        file,
        line: 7,
        col: 27,
        path: 'notify.webhooks.0.url',
        message: 'environment variable SLACK_WEBHOOK_URL is not set',
      },
    ]);
  });

  it('never prints a substituted secret in a message', async () => {
    const file = await writeTemp(text);
    const secret = 'not-a-url-but-a-secret-token';
    const e = await problemsOf(file, { PORT: '9500', SLACK_WEBHOOK_URL: secret });
    expect(e.message).not.toContain(secret);
    expect(e.problems.map((p) => p.path)).toEqual(['notify.webhooks.0.url']);
  });
});

describe('problems a user meets alone', () => {
  it('reports YAML syntax errors with their position', async () => {
    const file = await writeTemp('prometheus:\n  url: [http://x\ntick: 30s\n');
    const e = await problemsOf(file);
    expect(e.problems.length).toBeGreaterThan(0);
    expect(e.problems[0]?.message).toMatch(/^YAML syntax error/);
    expect(e.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a missing file', async () => {
    const e = await problemsOf('/nonexistent/mesh-soak.yaml');
    expect(e.problems[0]?.message).toContain('no such file');
  });

  it('points a missing required section at the document', async () => {
    const file = await writeTemp('tick: 30s\n');
    const e = await problemsOf(file);
    expect(e.problems).toEqual([{ file, line: 1, col: 1, path: 'prometheus', message: "missing required field 'prometheus'" }]);
  });
});
