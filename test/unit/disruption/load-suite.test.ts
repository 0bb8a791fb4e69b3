import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import type { Suite } from '../../../src/config/model.js';
import { UserError } from '../../../src/shared/errors.js';
import { loadSuite } from '../../../src/config/suites/load-suite.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { writeTemp } from '../config/temp-config.js';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const brokenDir = resolve(FIXTURES, 'suites-broken/broken');

describe('loadSuite', () => {
  it('reports every problem of a suite file with its own file name and lines', async () => {
    const r = await loadSuite(brokenDir, { params: {}, tickMs: 30_000, enabled: true });
    expect(r.suite).toBeUndefined();
    const file = resolve(brokenDir, 'suite.yaml');
    expect(r.problems.every((p) => p.file === file)).toBe(true);
    const got = r.problems.map((p) => [p.line, p.path, p.message]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(got).toEqual([
      [4, 'manifests.1', `manifest file 'missing.yaml' does not exist in ${brokenDir}`],
      [6, 'disruption', "the disruption has no schedule: set disruption.schedule here, or schedule in the config's entry"],
      [7, 'disruption.steps.0.rolloutRestart.replicas', "unknown field 'replicas'"],
      [8, 'disruption.steps.1.waitRollout.timeout', '"soon" is not a duration; use e.g. 500ms, 30s, 5m, 1h'],
      [9, 'disruption.steps.2.restart', expect.stringContaining("unknown step 'restart'")],
      [10, 'disruption.steps.3', expect.stringContaining('exactly one of: rolloutRestart, waitRollout')],
      [12, 'guard', expect.stringMatching(/^PromQL syntax error/)],
      [15, 'checks.0.query', expect.stringContaining('unknown template name "{{params.qsp}}"; known: {{namespace}}, {{params.qps}}')],
      [17, 'checks.0.summary', expect.stringContaining('unknown template name "{{now}}"')],
    ]);
  });

  it('is refused together with the config: one UserError for both files', async () => {
    const file = await writeTemp(`prometheus: { url: "http://127.0.0.1:9090" }\ntick: 1x\nsuites:\n  - use: ${brokenDir}\n    params: { qps: 5, bogus: 1 }\n`);
    const e = await loadConfig(file, { env: {} }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserError);
    const files = new Set((e as UserError).problems.map((p) => p.file));
    expect(files).toEqual(new Set([file, resolve(brokenDir, 'suite.yaml')]));
    const own = (e as UserError).problems.filter((p) => p.file === file).map((p) => p.path);
    expect(own).toEqual(['tick', 'suites.0.params.bogus']);
  });

  it('uses MESH_SOAK_SUITES_DIR when no option is given', async () => {
    const file = await writeTemp('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: quiet\n');
    const c = await loadConfig(file, { env: { MESH_SOAK_SUITES_DIR: resolve(FIXTURES, 'suites') } });
    expect(c.suites[0]?.namespace).toBe('soak-quiet');
  });

  it('refuses a schedule for a suite without disruption', async () => {
    const file = await writeTemp('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: quiet\n    schedule: { every: 1m }\n');
    const e = await loadConfig(file, { suitesDir: resolve(FIXTURES, 'suites'), env: {} }).catch((x: unknown) => x);
    expect((e as UserError).problems.map((p) => [p.line, p.path, p.message])).toEqual([
      [4, 'suites.0.schedule', "suite 'quiet' has no disruption or benchmark to schedule"],
    ]);
  });
});

describe('renderManifests', () => {
  it('renders namespace and params into every document of every manifest', async () => {
    const c = await loadConfig(resolve(FIXTURES, 'config/valid.yaml'), { suitesDir: resolve(FIXTURES, 'suites'), env: {} });
    const objects = await renderManifests(c.suites[0] as Suite);
    expect(objects.map((o) => o['kind'])).toEqual(['Namespace', 'Deployment']);
    expect(objects[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'soak-web' } });
    const spec = JSON.stringify(objects[1]);
    expect(spec).toContain('"image":"fortio/fortio:1.60"');
    expect(spec).toContain('"args":["load","-qps","25"]');
  });

  it('refuses objects without apiVersion and unknown template names, at their positions', async () => {
    const suite: Suite = {
      name: 'broken',
      description: '',
      dir: brokenDir,
      namespace: 'soak-broken',
      params: { qps: 10 },
      manifests: ['server.yaml'],
      checks: [],
      tickMs: 30_000,
      enabled: true,
    };
    const e = await renderManifests(suite).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).problems.map((p) => [p.line, p.message])).toEqual([
      [8, expect.stringContaining('unknown template name "{{params.nope}}"')],
      [6, 'document 2: a manifest object needs apiVersion'],
    ]);
  });
});
