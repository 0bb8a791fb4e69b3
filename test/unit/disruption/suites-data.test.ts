// The shipped suites as data: every suite.yaml and manifest parses, renders with the suite's
// own params, and uses only the documented vocabulary. Read with the `yaml` package alone, so a
// broken suite shows up here even while the loader changes; the last block checks that
// mesh-soak's own loader agrees.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseCondition } from '../../../src/checks/condition.js';
import { parseDuration } from '../../../src/checks/duration.js';
import { loadConfig } from '../../../src/config/index.js';
import { renderManifests } from '../../../src/config/suites/render-manifests.js';
import { promqlErrors } from '../deploy/promql-errors.js';

const SUITES_DIR = join(import.meta.dirname, '../../../suites');
const SHIPPED = [
  'canary-upgrader', 'chaos-partial', 'chaos-total', 'gateway-bouncer', 'graceful-shutdown', 'http10', 'istio-upgrader', 'logs-checker',
  'release-qualification', 'sds-certmanager',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `{{namespace}}` and `{{params.x}}` with the suite's defaults; other names are left for later stages. */
function render(text: string, namespace: string, params: Obj): string {
  return text.replace(/\{\{\s*(namespace|params\.(\w+))\s*\}\}/g, (whole, _n: string, p?: string) => {
    if (p === undefined) return namespace;
    if (!(p in params)) throw new Error(`${whole} is not declared in params`);
    return String(params[p]);
  });
}

interface LoadedSuite {
  name: string;
  dir: string;
  raw: string;
  spec: Obj;
  objects: { file: string; o: Obj }[];
}

function loadSuite(name: string): LoadedSuite {
  const dir = join(SUITES_DIR, name);
  const raw = readFileSync(join(dir, 'suite.yaml'), 'utf8');
  const first = obj(parseYaml(raw));
  const namespace = String(first.namespace);
  const params = obj(first.params);
  const spec = obj(parseYaml(render(raw, namespace, params)));
  const objects: { file: string; o: Obj }[] = [];
  for (const file of arr(spec.manifests).map(String)) {
    const text = render(readFileSync(join(dir, file), 'utf8'), namespace, params);
    for (const doc of parseAllDocuments(text)) {
      expect(doc.errors, `${name}/${file}`).toEqual([]);
      const o = doc.toJS() as unknown;
      if (o !== null) objects.push({ file, o: obj(o) });
    }
  }
  return { name, dir, raw, spec, objects };
}

const STEP_KEYS: Record<string, { required: string[]; optional: string[] }> = {
  rolloutRestart: { required: ['deployment'], optional: ['namespace'] },
  waitRollout: { required: ['deployment', 'timeout'], optional: ['namespace'] },
  scale: { required: ['deployment', 'replicas'], optional: ['namespace'] },
  setEnv: { required: ['env'], optional: ['namespace', 'selector'] },
  deletePods: { required: ['selector', 'keep'], optional: ['namespace'] },
  sleep: { required: ['duration'], optional: [] },
  choose: { required: ['name', 'from'], optional: ['count', 'seed'] },
  applyManifest: { required: ['file'], optional: [] },
  deleteManifest: { required: ['file'], optional: [] },
  labelNamespace: { required: ['labels'], optional: ['namespace', 'restartDeployments'] },
};

/** Files the suite's steps apply or delete (beside suite.yaml, not among its manifests). */
function stepFiles(spec: Obj): string[] {
  return arr(obj(spec.disruption).steps)
    .map(obj)
    .flatMap((st) => [obj(st.applyManifest).file, obj(st.deleteManifest).file])
    .filter((f): f is string => typeof f === 'string');
}
const SUITE_KEYS = ['name', 'description', 'namespace', 'params', 'manifests', 'disruption', 'guard', 'checks'];
const CHECK_KEYS = [
  'name', 'query', 'logs', 'fail', 'for', 'keepFiringFor', 'noData', 'nan', 'errorLimit', 'severity', 'summary', 'description', 'labels',
];

describe('shipped suites', () => {
  it('are the four documented stability suites, the five beside them, release-qualification and the benchmark suite, each in its own folder', () => {
    const dirs = readdirSync(SUITES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    // suites/benchmark is tested by test/unit/config/benchmark-config.test.ts.
    expect(dirs.sort()).toEqual(['benchmark', ...SHIPPED]);
  });

  describe.each(SHIPPED)('%s', (name) => {
    const suite = loadSuite(name);
    const { spec } = suite;

    it('uses only documented top-level fields and is named after its folder', () => {
      for (const key of Object.keys(spec)) expect(SUITE_KEYS, `field ${key}`).toContain(key);
      expect(spec.name).toBe(name);
      expect(String(spec.description).length).toBeGreaterThan(20);
    });

    it('lists every manifest beside it (or names it in a step), and only those', () => {
      const files = readdirSync(suite.dir).filter((f) => f !== 'suite.yaml');
      expect([...new Set([...arr(spec.manifests).map(String), ...stepFiles(spec)])].sort()).toEqual(files.sort());
    });

    it('declares every param its files use', () => {
      const used = new Set<string>();
      for (const f of readdirSync(suite.dir)) {
        for (const m of readFileSync(join(suite.dir, f), 'utf8').matchAll(/\{\{\s*params\.(\w+)\s*\}\}/g)) {
          used.add(m[1] as string);
        }
      }
      for (const p of used) expect(Object.keys(obj(spec.params)), `param ${p}`).toContain(p);
    });

    it('has a namespace in the istio-stability-<name> scheme, injected, or the mesh\'s own', () => {
      if (spec.namespace === 'istio-system') {
        expect(suite.objects).toEqual([]);
        return;
      }
      expect(spec.namespace).toBe(`istio-stability-${name}`);
      const ns = suite.objects.find(({ o }) => o.kind === 'Namespace');
      expect(obj(obj(ns?.o.metadata).labels)['istio-injection']).toBe('enabled');
      for (const { file, o } of suite.objects) {
        if (o.kind === 'Namespace' || o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') continue;
        expect(obj(o.metadata).namespace, `${file} ${String(o.kind)}`).toBe(spec.namespace);
      }
    });

    it('has Kubernetes objects with apiVersion, kind and metadata.name', () => {
      for (const { file, o } of suite.objects) {
        expect(typeof o.apiVersion, file).toBe('string');
        expect(typeof o.kind, file).toBe('string');
        expect(String(obj(o.metadata).name), file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      }
    });

    it('gives every container requests, limits, a pinned image and a non-root user (step files too)', () => {
      const { namespace, params } = { namespace: String(spec.namespace), params: obj(spec.params) };
      const fromSteps = stepFiles(spec).flatMap((file) =>
        parseAllDocuments(render(readFileSync(join(suite.dir, file), 'utf8'), namespace, params)).map((d) => ({ file, o: obj(d.toJS()) })),
      );
      for (const { file, o } of [...suite.objects, ...fromSteps].filter(({ o }) => o.kind === 'Deployment')) {
        const containers = arr(obj(obj(obj(o.spec).template).spec).containers).map(obj);
        expect(containers.length).toBeGreaterThan(0);
        for (const c of containers) {
          const where = `${file} ${String(c.name)}`;
          const res = obj(c.resources);
          expect(Object.keys(obj(res.requests)).sort(), where).toEqual(['cpu', 'memory']);
          expect(Object.keys(obj(res.limits)).sort(), where).toEqual(['cpu', 'memory']);
          expect(String(c.image), where).toMatch(/:[0-9v][\w.-]*$/);
          const sc = obj(c.securityContext);
          expect(sc.runAsNonRoot, where).toBe(true);
          expect(sc.allowPrivilegeEscalation, where).toBe(false);
        }
      }
    });

    it('grants no wildcard RBAC', () => {
      for (const { file, o } of suite.objects.filter(({ o }) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
        for (const rule of arr(o.rules).map(obj)) {
          for (const k of ['verbs', 'resources', 'apiGroups']) expect(arr(rule[k]), `${file} ${k}`).not.toContain('*');
        }
      }
    });

    it('has a guard and check queries that parse as PromQL after rendering', () => {
      if (spec.guard !== undefined) expect(promqlErrors(String(spec.guard))).toEqual([]);
      const checks = arr(spec.checks).map(obj);
      expect(checks.length).toBeGreaterThan(0);
      for (const c of checks.filter((x) => x.logs === undefined)) expect(promqlErrors(String(c.query)), String(c.name)).toEqual([]);
    });

    it('has checks with documented fields, unique names, valid conditions and durations', () => {
      const checks = arr(spec.checks).map(obj);
      expect(new Set(checks.map((c) => c.name)).size).toBe(checks.length);
      for (const c of checks) {
        const where = String(c.name);
        for (const key of Object.keys(c)) expect(CHECK_KEYS, `${where}.${key}`).toContain(key);
        expect(typeof c.fail, `${where}.fail must be a quoted string`).toBe('string');
        expect(parseCondition(String(c.fail)), where).not.toHaveProperty('error');
        for (const d of ['for', 'keepFiringFor']) {
          if (c[d] !== undefined) expect(typeof parseDuration(String(c[d])), `${where}.${d}`).toBe('number');
        }
        if (c.noData !== undefined) expect(['ok', 'unknown', 'fail']).toContain(c.noData);
        expect(['info', 'warning', 'critical']).toContain(c.severity);
        for (const t of [c.summary, c.description].filter((x) => x !== undefined).map(String)) {
          for (const m of t.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) expect(m[1], where).toMatch(/^(value|labels\.\w+)$/);
        }
      }
    });

    it('has disruption steps from the step vocabulary, each with one key', () => {
      const disruption = spec.disruption;
      if (disruption === undefined) return;
      const d = obj(disruption);
      const schedule = obj(d.schedule);
      expect(Object.keys(schedule).length).toBe(1);
      if (schedule.every !== undefined) expect(typeof parseDuration(String(schedule.every))).toBe('number');
      else expect(String(schedule.cron).split(/\s+/).length).toBeGreaterThanOrEqual(5);
      const steps = arr(d.steps).map(obj);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        const keys = Object.keys(step);
        expect(keys.length).toBe(1);
        const kind = keys[0] as string;
        const vocab = STEP_KEYS[kind];
        expect(vocab, `step ${kind}`).toBeDefined();
        const args = obj(step[kind]);
        for (const r of vocab?.required ?? []) expect(args, `${kind}.${r}`).toHaveProperty(r);
        for (const k of Object.keys(args)) expect([...(vocab?.required ?? []), ...(vocab?.optional ?? [])]).toContain(k);
        for (const k of ['timeout', 'duration']) {
          if (args[k] !== undefined) expect(typeof parseDuration(String(args[k])), `${kind}.${k}`).toBe('number');
        }
        // Steps act on deployments the suite ships, unless they target another namespace on purpose.
        if (typeof args.deployment === 'string' && args.namespace === undefined) {
          const names = suite.objects.filter(({ o }) => o.kind === 'Deployment').map(({ o }) => obj(o.metadata).name);
          expect(names, `${kind} ${args.deployment}`).toContain(args.deployment);
        }
      }
    });
  });
});

describe('suite specifics', () => {
  it('http10 sends HTTP/1.0 with a Host header (curl --http1.0) forever at the qps param and has no disruption', () => {
    const s = loadSuite('http10');
    expect(s.spec.disruption).toBeUndefined();
    const client = s.objects.find(({ o }) => obj(o.metadata).name === 'fortio-client' && o.kind === 'Deployment');
    const container = obj(arr(obj(obj(obj(client?.o.spec).template).spec).containers)[0]);
    const script = [...arr(container.command), ...arr(container.args)].map(String).join(' ');
    // curl always sends Host; Fortio's -http1.0 fast client does not (Envoy answers 400).
    expect(script).toContain('curl --http1.0');
    expect(script).toContain('while true');
    expect(script).toContain('1 / 10');
    expect(script).not.toMatch(/(^|\s)-http1\.0/);
    expect(String(s.spec.description)).toContain('PILOT_HTTP10=1');
    expect(String(s.spec.description)).toContain('426');
    // The refusal shows at the client's sidecar, as 4xx: a check looks there.
    const checks = arr(s.spec.checks).map(obj);
    const c4xx = checks.find((c) => c.name === 'client-4xx');
    expect(String(c4xx?.query)).toMatch(/reporter="source".*response_code=~"4\.\."/);
  });

  it('gateway-bouncer keeps the old gateway serving and its client outside the mesh', () => {
    const s = loadSuite('gateway-bouncer');
    const gw = s.objects.find(({ o }) => o.kind === 'Deployment' && obj(o.metadata).name === 'istio-ingressgateway');
    expect(obj(obj(gw?.o.spec).strategy).rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    const client = s.objects.find(({ o }) => o.kind === 'Deployment' && obj(o.metadata).name === 'fortio-client');
    const tmpl = obj(obj(client?.o.spec).template);
    expect(obj(obj(tmpl.metadata).annotations)['sidecar.istio.io/inject']).toBe('false');
    const args = arr(obj(arr(obj(tmpl.spec).containers)[0]).args).map(String);
    expect(args).toEqual(expect.arrayContaining(['-abort-on', '-1', '-qps', '100', '-c', '10']));
    const steps = arr(obj(s.spec.disruption).steps).map((st) => Object.keys(obj(st))[0]);
    expect(steps.slice(0, 3)).toEqual(['scale', 'rolloutRestart', 'sleep']);
  });

  it('istio-upgrader rolls istio-system with {{now}} left for the step runner', () => {
    const s = loadSuite('istio-upgrader');
    const step = obj(arr(obj(s.spec.disruption).steps)[0]);
    expect(obj(obj(step.setEnv).env).LAST_MANUAL_RESTART).toBe('{{now}}');
    expect(obj(step.setEnv).namespace).toBe('istio-system');
    // Only Istio's own deployments (label `istio`), not the addons beside them.
    expect(obj(step.setEnv).selector).toBe('istio');
  });
});

describe('through mesh-soak\'s own loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-suites-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function load(entries: string): Promise<Awaited<ReturnType<typeof loadConfig>>> {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `prometheus: { url: http://127.0.0.1:9090 }\nsuites:\n${entries}`);
    return loadConfig(file, { env: {}, suitesDir: SUITES_DIR });
  }

  it('renders the same objects as the plain YAML reading above, for every suite', async () => {
    const config = await load(SHIPPED.map((s) => `  - use: ${s}\n`).join(''));
    for (const suite of config.suites) {
      const objects = await renderManifests(suite);
      expect(objects, suite.name).toEqual(loadSuite(suite.name).objects.map(({ o }) => o));
    }
  });

  it('takes params from the config entry into manifests and checks', async () => {
    const config = await load('  - use: graceful-shutdown\n    params: { qps: 20, memoryMiBLimit: 128 }\n');
    const [suite] = config.suites;
    if (!suite) throw new Error('no suite loaded');
    const client = (await renderManifests(suite)).find((o) => o.kind === 'Deployment' && obj(o.metadata).name === 'fortio-client');
    const args = arr(obj(arr(obj(obj(obj(client?.spec).template).spec).containers)[0]).args).map(String);
    expect(args[args.indexOf('-qps') + 1]).toBe('20');
    expect(args.at(-1)).toMatch(/\/delay\/4$/);
    expect(suite.checks.find((c) => c.name === 'envoy-memory')?.query).toMatch(/> 128$/);
  });
});
