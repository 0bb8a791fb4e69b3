// The HTML report renders in a real browser: Chromium headless (Debian's /usr/bin/chromium)
// takes a screenshot of a report built from a soak-like ledger, and prints its DOM, in which
// the suites table, the timeline (an SVG with disruption bands) and the disruptions are found.
// MESH_SOAK_SCREENSHOT_DIR=docs keeps the PNG (docs/report.png is made this way).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportEntry } from '../../../src/verdict/report.js';
import { renderReport } from '../../../src/verdict/formats.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function chromium(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', ...args], { timeout: scaledMs(90_000), maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function soak(): ReportEntry[] {
  const out: ReportEntry[] = [];
  for (let k = 0; k < 6; k++) {
    const t = T0 + k * 600_000;
    const id = `graceful-shutdown-${k + 1}`;
    out.push({ kind: 'disruption', id, suite: 'graceful-shutdown', startedAt: t, at: t + 60_000, outcome: 'success', steps: [{ what: 'step 1/2 (rolloutRestart httpbin)', outcome: 'success', startedAt: t, endedAt: t + 5000 }, { what: 'step 2/2 (waitRollout httpbin)', outcome: 'success', startedAt: t + 5000, endedAt: t + 60_000 }] });
    out.push({ kind: 'state', suite: 'graceful-shutdown', check: '5xx-rate', from: 'ok', to: 'failing', value: 2, at: t + 20_000 });
    out.push({ kind: 'state', suite: 'graceful-shutdown', check: '5xx-rate', from: 'failing', to: 'ok', value: 0, at: t + 60_000 + k * 10_000 });
    out.push({ kind: 'impact', id, suite: 'graceful-shutdown', at: t + 120_000, checks: [{ suite: 'graceful-shutdown', check: '5xx-rate', phases: k > 0 ? ['during', 'after'] : ['during'] }], recovery: { status: 'recovered', seconds: k * 10, at: t + 60_000 + k * 10_000 } });
  }
  out.push({ kind: 'disruption', id: 'graceful-shutdown-7', suite: 'graceful-shutdown', startedAt: T0 + 3_600_000, at: T0 + 3_600_000, outcome: 'skipped', reason: 'suite already failing: 5xx-rate', skip: 'suite-failing', steps: [] });
  return out;
}

describe('the HTML report in Chromium headless', () => {
  it('renders: screenshot taken, tables and timeline in the DOM', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'mesh-soak-chromium-'));
    const report = buildReport({
      from: T0 - 600_000,
      to: T0 + 4_200_000,
      generatedAt: T0 + 4_200_000,
      suites: [{ name: 'graceful-shutdown', checks: ['5xx-rate', 'p99-latency'] }, { name: 'http10', checks: ['5xx-rate'] }, { name: 'mesh', checks: ['pilot-xds-rejects'] }],
      entries: new Map([['graceful-shutdown', soak()]]),
      current: { 'graceful-shutdown/5xx-rate': 'ok', 'graceful-shutdown/p99-latency': 'ok', 'http10/5xx-rate': 'ok', 'mesh/pilot-xds-rejects': 'ok' },
      versions: [{ version: '1.28.1', source: 'istio_build', firstSeen: T0 - 600_000, lastSeen: T0 + 4_200_000 }],
      links: { prometheus: 'http://prometheus.istio-system:9090', grafana: 'http://grafana:3000/d/mesh-soak-overview', status: '/' },
    });
    const page = join(dir, 'report.html');
    await writeFile(page, renderReport(report, 'html'));
    const shotDir = process.env.MESH_SOAK_SCREENSHOT_DIR ? resolve(process.env.MESH_SOAK_SCREENSHOT_DIR) : dir;
    const png = join(shotDir, 'report.png');
    const shot = await chromium([`--screenshot=${png}`, '--window-size=1280,1000', `file://${page}`]);
    expect(shot.code).toBe(0);
    const bytes = await readFile(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect((await stat(png)).size).toBeGreaterThan(20_000);
    const dom = await chromium(['--dump-dom', `file://${page}`]);
    expect(dom.code).toBe(0);
    expect(dom.stdout).toContain('graceful-shutdown-6');
    expect(dom.stdout).toMatch(/<svg[^>]*aria-label="failures and disruptions over time"/);
    expect(dom.stdout.match(/fill="#bbdefb"/g)).toHaveLength(6);
    expect(dom.stdout).toContain('recovered in 50s');
  });
});
