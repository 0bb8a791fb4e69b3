// The step kinds of the chaos and canary suites, without a cluster: the seeded pick, the
// `{{choice.NAME}}` expansion, how suite.yaml is validated, and what `disrupt --dry-run` shows.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step, Suite } from '../../../src/config/model.js';
import { loadSuite } from '../../../src/config/suites/load-suite.js';
import { expandChoices, pick, seedFor } from '../../../src/disruption/steps/choose.js';
import { formatPlan, planDisruption, planRestore } from '../../../src/disruption/dry-run-plan.js';

describe('pick', () => {
  const from = ['istiod', 'istio-ingressgateway', 'istio-egressgateway', 'istio-cni'];
  it('is a function of the seed: the same seed picks the same values in the same order', () => {
    for (let seed = 0; seed < 200; seed++) expect(pick(from, 1, 3, seed)).toEqual(pick(from, 1, 3, seed));
  });
  it('picks between min and max distinct values of the list, and every count and value occurs over many seeds', () => {
    const counts = new Set<number>();
    const seen = new Set<string>();
    for (let seed = 0; seed < 500; seed++) {
      const p = pick(from, 1, 3, seed);
      expect(new Set(p).size).toBe(p.length);
      expect(p.every((v) => from.includes(v))).toBe(true);
      counts.add(p.length);
      p.forEach((v) => seen.add(v));
    }
    expect([...counts].sort()).toEqual([1, 2, 3]);
    expect([...seen].sort()).toEqual([...from].sort());
  });
  it('derives a seed from suite and job id when the step has none (stable, and different per job)', () => {
    expect(seedFor('chaos-total', 'job-1')).toBe(seedFor('chaos-total', 'job-1'));
    expect(seedFor('chaos-total', 'job-1')).not.toBe(seedFor('chaos-total', 'job-2'));
    expect(seedFor('chaos-total', 'job-1')).not.toBe(seedFor('chaos-partial', 'job-1'));
  });
});

describe('expandChoices', () => {
  const step: Step = { scale: { deployment: '{{choice.c}}', namespace: 'istio-system', replicas: 0 } };
  it('runs a step once per picked value, in the pick order', () => {
    expect(expandChoices(step, new Map([['c', ['b', 'a']]]))).toEqual([
      { scale: { deployment: 'b', namespace: 'istio-system', replicas: 0 } },
      { scale: { deployment: 'a', namespace: 'istio-system', replicas: 0 } },
    ]);
  });
  it('leaves a step without choices alone and refuses a choice not made', () => {
    const plain: Step = { sleep: { durationMs: 5 } };
    expect(expandChoices(plain, undefined)).toEqual([plain]);
    expect(() => expandChoices(step, new Map())).toThrow('{{choice.c}} has not been chosen in this disruption');
  });
});

describe('suite.yaml with the new steps', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mesh-soak-steps-'));
    await writeFile(join(dir, 'canary.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: "{{namespace}}" }\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function load(steps: string) {
    await writeFile(join(dir, 'suite.yaml'), `name: s\nnamespace: ns\ndisruption:\n  schedule: { every: 1m }\n  steps:\n${steps}`);
    return loadSuite(dir, { params: {}, tickMs: 1000, enabled: true });
  }

  it('loads every new kind with its defaults', async () => {
    const r = await load(
      [
        '    - choose: { name: c, from: [a, b, c], count: "1..2" }',
        '    - scale: { deployment: "{{choice.c}}", replicas: 0 }',
        '    - applyManifest: { file: canary.yaml }',
        '    - labelNamespace: { labels: { istio-injection: null, istio.io/rev: canary } }',
        '    - deleteManifest: { file: canary.yaml }',
      ].join('\n') + '\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.suite?.disruption?.steps).toEqual([
      { choose: { name: 'c', from: ['a', 'b', 'c'], countMin: 1, countMax: 2 } },
      { scale: { deployment: '{{choice.c}}', replicas: 0 } },
      { applyManifest: { file: 'canary.yaml' } },
      { labelNamespace: { labels: { 'istio-injection': null, 'istio.io/rev': 'canary' }, restartDeployments: false } },
      { deleteManifest: { file: 'canary.yaml' } },
    ]);
  });

  it('names the field and the problem of each mistake', async () => {
    const r = await load(
      [
        '    - choose: { name: c, from: [a, b], count: 3 }',
        '    - choose: { name: d, from: [a, a], count: "2..1" }',
        '    - scale: { deployment: "{{choice.x}}", replicas: 0 }',
        '    - applyManifest: { file: missing.yaml }',
        '    - deleteManifest: { file: ../../etc/passwd }',
        '    - labelNamespace: { labels: {} }',
      ].join('\n') + '\n',
    );
    const got = r.problems.map((p) => `${p.path}: ${p.message}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'disruption.steps.0.choose.count: cannot choose 3 of 2 values',
        'disruption.steps.1.choose.count: the range 2..1 is empty',
        'disruption.steps.1.choose.from: the values to choose from repeat',
        'disruption.steps.2: {{choice.x}} is not chosen by an earlier step (add a choose step with name: x)',
        `disruption.steps.3.applyManifest.file: manifest file 'missing.yaml' does not exist in ${dir}`,
        'disruption.steps.4.deleteManifest.file: a file in the suite folder (relative, without "..")',
        'disruption.steps.5.labelNamespace.labels: name at least one label',
      ]),
    );
    expect(r.suite).toBeUndefined();
  });
});

describe('dry run of the new steps', () => {
  const suite = (steps: Step[]): Suite => ({
    name: 'c', description: '', dir: '/x', namespace: 'ns', params: {}, manifests: [],
    disruption: { schedule: { every: 1000 }, steps }, checks: [], tickMs: 1000, enabled: true,
  });
  const at = Date.UTC(2026, 10, 25, 12, 0, 7);
  const s = suite([
    { choose: { name: 'c', from: ['a', 'b'], countMin: 1, countMax: 1, seed: 3 } },
    { applyManifest: { file: 'canary.yaml' } },
    { labelNamespace: { namespace: 'load', labels: { 'istio.io/rev': 'canary', 'istio-injection': null }, restartDeployments: true } },
  ]);

  it('choose sends nothing; applyManifest reads then applies; labelNamespace reads, patches and restarts', () => {
    const [choose, apply, label] = planDisruption(s, at);
    expect(choose?.description).toBe('choose 1 of [a, b] as c (seed 3; journaled)');
    expect(choose?.requests).toEqual([]);
    expect(apply?.requests.map((r) => `${r.method} ${r.patchType ?? ''}`)).toEqual(['GET ', 'PATCH apply']);
    expect(label?.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/namespaces/load',
      'PATCH /api/v1/namespaces/load',
      'GET /apis/apps/v1/namespaces/load/deployments',
      'PATCH /apis/apps/v1/namespaces/load/deployments/{name}',
    ]);
    expect(label?.requests[1]?.body).toEqual({ metadata: { labels: { 'istio.io/rev': 'canary', 'istio-injection': null } } });
    expect(JSON.stringify(label?.requests[3]?.body)).toContain('2026-11-25T12:00:07Z');
  });

  it('the restore deletes or re-applies objects and sets the labels back, then restarts', () => {
    const restore = planRestore(s).map((r) => `${r.method} ${r.path}`);
    expect(restore).toEqual([
      'DELETE {object}', 'PATCH {object}', 'GET {object}',
      'PATCH /api/v1/namespaces/load', 'GET /api/v1/namespaces/load',
      'GET /apis/apps/v1/namespaces/load/deployments', 'PATCH /apis/apps/v1/namespaces/load/deployments/{name}',
    ]);
    expect(formatPlan(s, at)).toContain('labelNamespace load istio.io/rev=canary istio-injection-, then restart its deployments (restored afterwards)');
  });
});
