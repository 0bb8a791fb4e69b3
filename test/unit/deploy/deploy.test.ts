// The kustomize base as an operator applies it: every file listed and parseable, the daemon
// hardened, Redis persistent, the default config loading with the real loader.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/config/index.js';
import { arr, DEPLOY, deployObjects, obj, readDocs, SUITES, strs, yamlFiles } from './manifests.js';

const objects = deployObjects();
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.name === name);
const podSpec = (kind: string, name: string) => obj(obj(obj(find(kind, name)?.o.spec).template).spec);

describe('kustomization', () => {
  it('lists every manifest in deploy/ (rules/ is for promtool), and each one exists', () => {
    const k = obj(parseYaml(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')));
    const expected = yamlFiles(DEPLOY).filter((f) => f !== 'kustomization.yaml' && !f.startsWith('rules/'));
    expect(strs(k.resources).sort()).toEqual(expected);
  });

  it('has only well-formed objects, with unique kind/namespace/name', () => {
    const seen = new Set<string>();
    for (const { file, o, kind, name, namespace } of objects) {
      expect(typeof o.apiVersion, file).toBe('string');
      expect(name, file).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      const key = `${kind}/${namespace ?? ''}/${name}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it('puts mesh-soak\'s own objects in the mesh-soak namespace', () => {
    for (const kind of ['ServiceAccount', 'ConfigMap', 'Deployment', 'Service', 'StatefulSet', 'ServiceMonitor', 'PrometheusRule']) {
      const mine = objects.filter((o) => o.kind === kind && o.name.startsWith('mesh-soak'));
      expect(mine.length, kind).toBeGreaterThan(0);
      for (const o of mine) expect(o.namespace, `${kind} ${o.name}`).toBe('mesh-soak');
    }
  });
});

describe('daemon Deployment', () => {
  const deploy = obj(find('Deployment', 'mesh-soak')?.o.spec);
  const pod = podSpec('Deployment', 'mesh-soak');
  const c = obj(arr(pod.containers)[0]);

  it('runs two replicas of the pinned image with the documented arguments', () => {
    expect(deploy.replicas).toBe(2);
    expect(c.image).toBe('mesh-soak:0.1.0');
    expect(c.args).toEqual(['run', '--config', '/etc/mesh-soak/config.yaml']);
    expect(pod.serviceAccountName).toBe('mesh-soak');
  });

  it('reads the admin token from an optional Secret', () => {
    const env = arr(c.env).map(obj).find((e) => e.name === 'MESH_SOAK_ADMIN_TOKEN');
    const ref = obj(obj(env?.valueFrom).secretKeyRef);
    expect(ref.optional).toBe(true);
    expect(typeof ref.name).toBe('string');
  });

  it('probes /healthz and /readyz on port 9464', () => {
    const port = arr(c.ports).map(obj).find((p) => p.containerPort === 9464);
    expect(port).toBeDefined();
    for (const [probe, path] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
      const get = obj(obj(c[probe]).httpGet);
      expect(get.path).toBe(path);
      expect([9464, port?.name]).toContain(get.port);
    }
  });

  it('is hardened: non-root 10001, read-only root, no escalation, no capabilities, RuntimeDefault seccomp', () => {
    const sc = obj(c.securityContext);
    const podSc = obj(pod.securityContext);
    expect(podSc.runAsNonRoot).toBe(true);
    expect(sc.runAsUser ?? podSc.runAsUser).toBe(10001);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(obj(sc.capabilities).drop).toEqual(['ALL']);
    expect(obj(sc.seccompProfile ?? podSc.seccompProfile).type).toBe('RuntimeDefault');
    const res = obj(c.resources);
    expect(Object.keys(obj(res.requests)).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(obj(res.limits)).sort()).toEqual(['cpu', 'memory']);
  });

  it('mounts the config ConfigMap where the arguments point', () => {
    const mount = arr(c.volumeMounts).map(obj).find((m) => m.mountPath === '/etc/mesh-soak');
    const vol = arr(pod.volumes).map(obj).find((v) => v.name === mount?.name);
    expect(obj(vol?.configMap).name).toBe('mesh-soak-config');
  });

  it('is reached through a Service and scraped by a ServiceMonitor on the named port', () => {
    const svc = obj(find('Service', 'mesh-soak')?.o.spec);
    const sm = obj(find('ServiceMonitor', 'mesh-soak')?.o.spec);
    const svcLabels = obj(obj(find('Service', 'mesh-soak')?.o.metadata).labels);
    for (const [k, v] of Object.entries(obj(obj(sm.selector).matchLabels))) expect(svcLabels[k]).toBe(v);
    const endpoint = obj(arr(sm.endpoints)[0]);
    expect(arr(svc.ports).map((p) => obj(p).name)).toContain(endpoint.port);
    expect(endpoint.path).toBe('/metrics');
    expect(obj(deploy.selector).matchLabels).toEqual(svc.selector);
  });
});

describe('Redis', () => {
  const sts = obj(find('StatefulSet', 'mesh-soak-redis')?.o.spec);
  const pod = podSpec('StatefulSet', 'mesh-soak-redis');
  const c = obj(arr(pod.containers)[0]);

  it('persists with append-only files on a 1Gi claim, as a non-root user', () => {
    expect(String(c.image)).toMatch(/^redis:7\.0/);
    expect(strs(c.args).join(' ')).toContain('--appendonly yes');
    const claim = obj(arr(sts.volumeClaimTemplates)[0]);
    expect(obj(obj(obj(claim.spec).resources).requests).storage).toBe('1Gi');
    expect(arr(c.volumeMounts).map((m) => obj(m).name)).toContain(obj(claim.metadata).name);
    expect(obj(pod.securityContext).runAsNonRoot).toBe(true);
    expect(obj(c.securityContext).allowPrivilegeEscalation).toBe(false);
  });

  it('is reachable at the URL the default config uses, through a headless Service', () => {
    const svc = obj(find('Service', 'mesh-soak-redis')?.o.spec);
    expect(svc.clusterIP).toBe('None');
    expect(sts.serviceName).toBe('mesh-soak-redis');
    const config = obj(parseYaml(String(obj(find('ConfigMap', 'mesh-soak-config')?.o.data)['config.yaml'])));
    expect(obj(config.redis).url).toBe('redis://mesh-soak-redis:6379');
  });
});

describe('default config', () => {
  const text = String(obj(find('ConfigMap', 'mesh-soak-config')?.o.data)['config.yaml']);
  const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-deploy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the four shipped suites and the release-qualification checks, with istio-upgrader disabled', () => {
    const config = obj(parseYaml(text));
    const entries = arr(config.suites).map(obj);
    expect(entries.map((e) => e.use)).toEqual(['http10', 'graceful-shutdown', 'gateway-bouncer', 'istio-upgrader', 'release-qualification']);
    expect(entries.find((e) => e.use === 'release-qualification')?.enabled).toBeUndefined();
    expect(entries.find((e) => e.use === 'istio-upgrader')?.enabled).toBe(false);
    expect(obj(config.prometheus).url).toBe('http://prometheus.istio-system:9090');
  });

  it('loads with mesh-soak\'s own loader, suites included', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, text);
    const config = await loadConfig(file, { env: {}, suitesDir: SUITES });
    expect(config.suites.map((s) => [s.name, s.enabled])).toEqual([
      ['http10', true],
      ['graceful-shutdown', true],
      ['gateway-bouncer', true],
      ['istio-upgrader', false],
      ['release-qualification', true],
    ]);
    const gb = config.suites.find((s) => s.name === 'gateway-bouncer');
    expect(gb?.disruption?.steps[0]).toEqual({ scale: { deployment: 'istiod', replicas: 0 } });
    expect(gb?.checks.map((c) => c.name)).toContain('client-restarts');
  });
});

describe('rules file', () => {
  it('parses as one document with the mesh-soak group', () => {
    const docs = readDocs(join(DEPLOY, 'rules/mesh-soak.rules.yaml'));
    expect(docs).toHaveLength(1);
    expect(arr(obj(docs[0]).groups).map((g) => obj(g).name)).toEqual(['mesh-soak']);
  });
});
