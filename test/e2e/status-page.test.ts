// The status page at `/`, driven in Debian's Chromium against a running daemon (real Redis,
// real Prometheus scraping a synthetic target): failing checks first, suites with their
// schedules, refreshing by itself, pause/resume once the admin token is entered. Leaves a
// screenshot in test-results/ (docs/status-page.png, the README's, is taken from the demo).

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, startRedis, startSyntheticTarget, waitFor } from '../harness/index.js';
import type { RunningPrometheus, RunningRedis, SyntheticTarget } from '../harness/index.js';
import { parseCondition } from '../../src/checks/condition.js';
import type { CheckSpec, Config, Suite } from '../../src/config/model.js';
import { startDaemon, type Daemon } from '../../src/app/index.js';
import type { DisruptionRunner } from '../../src/disruption/types.js';
import { scaledMs } from '../../simulator/local/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The run's screenshot goes to test-results/ (ignored); UPDATE_SCREENSHOT=1 writes it over the
// committed copy the README shows.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? join(root, 'docs', 'status-page.png') : join(root, 'test-results', 'status-page.png');
const TOKEN = 'e2e-admin-token';

if (!existsSync(CHROMIUM)) {
  console.warn(`status page browser test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}

function check(name: string, query: string, fail: string, extra: Partial<CheckSpec> = {}): CheckSpec {
  const cond = parseCondition(fail);
  if ('error' in cond) throw new Error(cond.error);
  return { name, query, fail: cond, forMs: 0, keepFiringForMs: 0, noData: 'unknown', errorLimit: 3, severity: 'critical', labels: {}, ...extra };
}

function suite(name: string, description: string, checks: CheckSpec[], extra: Partial<Suite> = {}): Suite {
  return { name, description, dir: '/nonexistent', namespace: `ns-${name}`, params: {}, manifests: [], checks, tickMs: 1000, enabled: true, ...extra };
}

describe.skipIf(!existsSync(CHROMIUM))('status page in Chromium', () => {
  let redis: RunningRedis | undefined;
  let prom: RunningPrometheus | undefined;
  let target: SyntheticTarget | undefined;
  let daemon: Daemon | undefined;
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let page: Page;
  let base = '';
  const previousToken = process.env.MESH_SOAK_ADMIN_TOKEN;
  const disrupted: string[] = [];
  const runner: DisruptionRunner = {
    async run(s) {
      disrupted.push(s.name);
      return { outcome: 'success' };
    },
    async restorePending() {
      return 0;
    },
  };

  interface ApiSuite {
    name: string;
    paused: boolean;
    checks: Array<{ name: string; state: string }>;
  }
  const apiSuite = async (name: string): Promise<ApiSuite | undefined> => {
    const res = await fetch(`${base}/api/v1/status`, { signal: AbortSignal.timeout(scaledMs(5000)) });
    return ((await res.json()) as { suites: ApiSuite[] }).suites.find((s) => s.name === name);
  };

  const section = (name: string): ReturnType<Page['locator']> => page.locator(`section.suite[data-suite="${name}"]`);
  const stateOf = (suiteName: string, checkName: string): ReturnType<Page['locator']> =>
    section(suiteName).locator(`tr[data-check="${checkName}"] [data-state]`);

  beforeAll(async () => {
    // The daemon reads the token from the environment per request, as in a deployment.
    process.env.MESH_SOAK_ADMIN_TOKEN = TOKEN;
    target = await startSyntheticTarget();
    target.set('shop_errors_per_minute', { suite: 'checkout' }, 9);
    target.set('shop_latency_p99_ms', { suite: 'checkout' }, 42);
    target.set('shop_available_replicas', { suite: 'catalog' }, 2);
    target.set('pilot_total_xds_rejects', {}, 0);
    redis = await startRedis();
    prom = await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 });
    const config: Config = {
      file: 'status-page-e2e.yaml',
      prometheus: { url: prom.url, timeoutMs: 2000, headers: {}, concurrency: 4 },
      redis: { url: redis.url },
      kubernetes: {},
      tickMs: 1000,
      http: { port: 0 },
      notify: { webhooks: [] },
      suites: [
        suite('catalog', 'Catalog pods stay available.', [check('availability', 'min(shop_available_replicas{suite="catalog"})', '< 1')]),
        suite(
          'checkout',
          'Checkout survives a rolling restart.',
          [
            check('latency-p99', 'max(shop_latency_p99_ms{suite="checkout"})', '> 250', { severity: 'warning' }),
            check('errors', 'max(shop_errors_per_minute{suite="checkout"})', '> 5'),
          ],
          // A slot far away: nothing runs by itself during the test.
          { disruption: { schedule: { cron: '0 0 1 1 *' }, steps: [] } },
        ),
      ],
      checks: [check('xds-rejects', 'sum(pilot_total_xds_rejects)', '> 0')],
    };
    daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), prefix: `e2e-status-${process.pid}-${Date.now()}`, port: 0, host: '127.0.0.1', disruptions: runner });
    base = `http://127.0.0.1:${daemon.port}`;
    await daemon.scheduled;
    await waitFor(async () => (await apiSuite('checkout'))?.checks.find((c) => c.name === 'errors')?.state === 'failing', {
      timeoutMs: 90_000,
      what: 'checkout/errors failing in the API',
    });

    ({ profileDir, context, page } = await launchChromium());
    await page.goto(base + '/', { waitUntil: 'load' });
  }, scaledMs(600_000));

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    await daemon?.stop();
    await prom?.stop();
    await redis?.stop();
    await target?.stop();
    if (previousToken === undefined) delete process.env.MESH_SOAK_ADMIN_TOKEN;
    else process.env.MESH_SOAK_ADMIN_TOKEN = previousToken;
  });

  it('lists the failing check first, with its state, value and condition', async () => {
    await stateOf('checkout', 'errors').filter({ hasText: 'failing' }).waitFor();
    const firstSuite = await page.locator('section.suite').first().getAttribute('data-suite');
    expect(firstSuite).toBe('checkout');
    const firstRow = section('checkout').locator('tbody tr').first();
    expect(await firstRow.getAttribute('data-check')).toBe('errors');
    expect(await firstRow.locator('[data-state]').textContent()).toBe('failing');
    expect(await firstRow.locator('td.value').textContent()).toBe('9');
    expect(await firstRow.locator('td.cond').textContent()).toBe('fails if > 5');
    // Its last values as an inline SVG line (red while failing), its range in the title.
    const spark = firstRow.locator('td.spark svg.spark.failing path');
    // A flat line has no height, which Playwright calls hidden: wait for it to be there.
    await spark.waitFor({ state: 'attached' });
    expect(await spark.getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+/);
    expect(await firstRow.locator('td.spark svg title').textContent()).toMatch(/^last \d+ ticks: min 9, max 9, last 9$/);
    // The other checks are ok.
    await stateOf('checkout', 'latency-p99').filter({ hasText: 'ok' }).waitFor();
    await stateOf('catalog', 'availability').filter({ hasText: 'ok' }).waitFor();
    await stateOf('mesh', 'xds-rejects').filter({ hasText: 'ok' }).waitFor();
    expect(await page.locator('#summary').textContent()).toMatch(/^1 failing · 3 ok$/);
    expect(await page.title()).toBe('(1 failing) mesh-soak');
  });

  it('shows every suite with its schedules', async () => {
    expect(await page.locator('section.suite').evaluateAll((els) => els.map((e) => e.getAttribute('data-suite')))).toEqual(['checkout', 'catalog', 'mesh']);
    const checkout = (await section('checkout').locator('.meta').textContent()) ?? '';
    expect(checkout).toContain('Checkout survives a rolling restart.');
    expect(checkout).toContain('tick 1s');
    expect(checkout).toContain('disrupt cron 0 0 1 1 *');
    expect(checkout).toContain('last disruption: none yet');
    expect(await section('catalog').locator('.meta').textContent()).toContain('no disruption');
    expect(await section('mesh').locator('.meta').textContent()).toContain('Mesh-wide checks');
  });

  it('shows admin buttons once the token is entered', async () => {
    expect(await page.getByRole('button').count()).toBe(0);
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token').press('Enter');
    await section('checkout').getByRole('button', { name: 'pause', exact: true }).waitFor();
    await section('checkout').getByRole('button', { name: 'trigger disruption' }).waitFor();
    // The mesh-wide group cannot be paused or disrupted from here.
    expect(await section('mesh').getByRole('button').count()).toBe(0);
    expect(await section('catalog').getByRole('button', { name: 'trigger disruption' }).count()).toBe(0);
  });

  it('triggers a disruption from its button and shows it as the last disruption (screenshot saved)', async () => {
    await section('checkout').getByRole('button', { name: 'trigger disruption' }).click();
    await section('checkout').locator('.meta').filter({ hasText: /last disruption: success \S+ ago/ }).waitFor({ timeout: scaledMs(20_000) });
    expect(disrupted).toEqual(['checkout']);
    expect(await page.locator('#error').textContent()).toBe('');
    await mkdir(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('pauses and resumes a suite through the buttons', async () => {
    await section('checkout').getByRole('button', { name: 'pause', exact: true }).click();
    await waitFor(async () => (await apiSuite('checkout'))?.paused === true, { timeoutMs: 30_000, what: 'checkout paused in the API' });
    await section('checkout').locator('h2 .paused').filter({ hasText: 'paused' }).waitFor();
    expect(await page.locator('#error').textContent()).toBe('');
    expect((await apiSuite('catalog'))?.paused).toBe(false);

    await section('checkout').getByRole('button', { name: 'resume', exact: true }).click();
    await waitFor(async () => (await apiSuite('checkout'))?.paused === false, { timeoutMs: 30_000, what: 'checkout resumed in the API' });
    await section('checkout').locator('h2 .paused').waitFor({ state: 'detached' });
    await section('checkout').getByRole('button', { name: 'pause', exact: true }).waitFor();
  });

  it('refreshes by itself: a recovered check turns ok without a reload', async () => {
    // A marker a reload would wipe out.
    await page.evaluate(() => {
      (globalThis as unknown as { __noReload: boolean }).__noReload = true;
    });
    target!.set('shop_errors_per_minute', { suite: 'checkout' }, 0);
    await stateOf('checkout', 'errors').filter({ hasText: 'ok' }).waitFor({ timeout: scaledMs(30_000) });
    expect(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await page.locator('#summary').textContent()).toBe('4 ok');
    expect(await page.title()).toBe('mesh-soak');
  });
});

// With config clusters: a section per cluster, its heading with the cluster's own summary,
// each holding that cluster's suite instances (titled by the suite name, the instance id as
// data-suite); the header counts every cluster's checks. Each cluster has its own Prometheus.
describe.skipIf(!existsSync(CHROMIUM))('status page in Chromium, two clusters', () => {
  const CLUSTERS = ['east', 'west'];
  let redis: RunningRedis | undefined;
  const proms: RunningPrometheus[] = [];
  const targets: SyntheticTarget[] = [];
  let daemon: Daemon | undefined;
  let context: BrowserContext | undefined;
  let profileDir: string | undefined;
  let page: Page;

  beforeAll(async () => {
    redis = await startRedis();
    for (const [i] of CLUSTERS.entries()) {
      const target = await startSyntheticTarget();
      // west's checkout fails (9 errors a minute), east's does not.
      target.set('shop_errors_per_minute', { suite: 'checkout' }, i === 1 ? 9 : 0);
      target.set('pilot_total_xds_rejects', {}, 0);
      targets.push(target);
      proms.push(await startPrometheus({ scrapeTargets: [target.hostPort], scrapeIntervalS: 1 }));
    }
    const prometheus = { url: proms[0]!.url, timeoutMs: 2000, headers: {}, concurrency: 4 };
    const config: Config = {
      file: 'status-page-clusters-e2e.yaml',
      prometheus,
      redis: { url: redis.url },
      kubernetes: {},
      clusters: CLUSTERS.map((name, i) => ({ name, kubernetes: {}, prometheus: { ...prometheus, url: proms[i]!.url } })),
      tickMs: 1000,
      http: { port: 0 },
      notify: { webhooks: [] },
      suites: [suite('checkout', 'Checkout survives a rolling restart.', [check('errors', 'max(shop_errors_per_minute{suite="checkout"})', '> 5')])],
      checks: [check('xds-rejects', 'sum(pilot_total_xds_rejects)', '> 0')],
    };
    daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), prefix: `e2e-status-clusters-${process.pid}-${Date.now()}`, port: 0, host: '127.0.0.1' });
    await daemon.scheduled;
    ({ profileDir, context, page } = await launchChromium());
    await page.goto(`http://127.0.0.1:${daemon.port}/`, { waitUntil: 'load' });
  }, scaledMs(600_000));

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    await daemon?.stop();
    for (const p of proms) await p.stop();
    await redis?.stop();
    for (const t of targets) await t.stop();
  });

  const cluster = (name: string): ReturnType<Page['locator']> => page.locator(`section.cluster[data-cluster="${name}"]`);

  it('groups the suite instances under a heading per cluster, each with its own summary', async () => {
    await cluster('west').locator('section.suite[data-suite="west/checkout"] tr[data-check="errors"] [data-state]').filter({ hasText: 'failing' }).waitFor({ timeout: scaledMs(90_000) });
    await cluster('east').locator('section.suite[data-suite="east/mesh"] tr[data-check="xds-rejects"] [data-state]').filter({ hasText: 'ok' }).waitFor({ timeout: scaledMs(30_000) });
    await cluster('west').locator('section.suite[data-suite="west/mesh"] tr[data-check="xds-rejects"] [data-state]').filter({ hasText: 'ok' }).waitFor({ timeout: scaledMs(30_000) });
    expect(await page.locator('section.cluster').evaluateAll((els) => els.map((e) => e.getAttribute('data-cluster')))).toEqual(['east', 'west']);
    // Each cluster's instances inside its own section, the failing one first; titled by the suite name.
    expect(await cluster('east').locator('section.suite').evaluateAll((els) => els.map((e) => e.getAttribute('data-suite')))).toEqual(['east/checkout', 'east/mesh']);
    expect(await cluster('west').locator('section.suite').evaluateAll((els) => els.map((e) => e.getAttribute('data-suite')))).toEqual(['west/checkout', 'west/mesh']);
    expect(await cluster('west').locator('section.suite[data-suite="west/checkout"] h3').textContent()).toBe('checkout');
    expect(await cluster('east').locator('h2').textContent()).toBe('east2 ok');
    expect(await cluster('west').locator('h2 .cluster-summary').textContent()).toBe('1 failing · 1 ok');
    expect(await page.locator('#summary').textContent()).toBe('1 failing · 3 ok');
    expect(await page.title()).toBe('(1 failing) mesh-soak');
  });
});

/** Headless Debian Chromium in a fresh profile (the caller removes profileDir), and its first page. */
async function launchChromium(): Promise<{ profileDir: string; context: BrowserContext; page: Page }> {
  const profileDir = await mkdtemp(join(tmpdir(), 'mesh-soak-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 720 },
    timeout: scaledMs(30_000),
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return { profileDir, context, page };
}
