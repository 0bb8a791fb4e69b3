// Every overlay of deploy/ as kubectl renders it, judged as an operator would: the daemon
// hardened and wired to its config and secrets, Redis persistent, and each overlay's config
// loading with mesh-soak's own loader. The same checks run on the Helm chart's renderings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/config/index.js';
import { benchResources } from '../../../src/benchmark/run-benchmark.js';
import { arr, DEPLOY, obj, readDocs, SUITES, strs, type K8sObject } from './manifests.js';
import { configMapOf, configText, find, helmSetup, overlay, podSpecOf, SETUPS, type Setup } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The Prometheus and Alertmanager each setup's config points at.
const URLS: Record<Setup, { prometheus: string; alertmanager?: string }> = {
  'plain-prometheus': { prometheus: 'http://prometheus.istio-system:9090', alertmanager: 'http://alertmanager.monitoring:9093' },
  'kube-prometheus-stack': {
    prometheus: 'http://kube-prometheus-stack-prometheus.monitoring:9090',
    alertmanager: 'http://kube-prometheus-stack-alertmanager.monitoring:9093',
  },
  'istio-sample-addons': { prometheus: 'http://prometheus.istio-system:9090' },
};

const SECRET_ENV = { MESH_SOAK_ADMIN_TOKEN: 'admin-token', SLACK_WEBHOOK_URL: 'slack-webhook-url', WEBHOOK_URL: 'webhook-url' };

const renderings: [string, Setup, () => K8sObject[]][] = SETUPS.flatMap((s) => [
  [`kustomize overlays/${s}`, s, () => overlay(s)] as [string, Setup, () => K8sObject[]],
  [`helm ci/${s}-values.yaml`, s, () => helmSetup(s)] as [string, Setup, () => K8sObject[]],
]);

describe.each(renderings)('%s', (_label, setup, render) => {
  const objects = render();
  const daemon = find(objects, 'Deployment', 'mesh-soak');
  const pod = podSpecOf(daemon);
  const c = obj(arr(pod.containers)[0]);

  it('runs two replicas of the image with the documented arguments', () => {
    expect(obj(daemon?.o.spec).replicas).toBe(2);
    expect(c.image).toBe('mesh-soak:0.1.0');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.args).toEqual(['run', '--config', '/etc/mesh-soak/config.yaml']);
    expect(pod.serviceAccountName).toBe('mesh-soak');
  });

  it('reads the admin token and webhook URLs from Secret mesh-soak-secrets, every key optional', () => {
    const env = arr(c.env).map(obj);
    expect(env.map((e) => e.name)).toEqual(Object.keys(SECRET_ENV));
    for (const e of env) {
      expect(e.value, String(e.name)).toBeUndefined();
      const ref = obj(obj(e.valueFrom).secretKeyRef);
      expect(ref, String(e.name)).toEqual({ name: 'mesh-soak-secrets', key: SECRET_ENV[e.name as keyof typeof SECRET_ENV], optional: true });
    }
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

  it('is hardened: non-root 10001, read-only root, no escalation, no capabilities, RuntimeDefault seccomp, bounded resources', () => {
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
    // The only writable paths are volumes: /tmp, and the config read-only.
    expect(arr(c.volumeMounts).map(obj).map((m) => [m.mountPath, m.readOnly ?? false])).toEqual([
      ['/etc/mesh-soak', true],
      ['/tmp', false],
    ]);
  });

  it('mounts the rendered config ConfigMap where the arguments point', () => {
    const mount = arr(c.volumeMounts).map(obj).find((m) => m.mountPath === '/etc/mesh-soak');
    const vol = arr(pod.volumes).map(obj).find((v) => v.name === mount?.name);
    expect(obj(vol?.configMap).name).toBe(configMapOf(objects)?.name);
  });

  it('selects its pods with the Service\'s selector', () => {
    const svc = obj(find(objects, 'Service', 'mesh-soak')?.o.spec);
    expect(obj(obj(daemon?.o.spec).selector).matchLabels).toEqual(svc.selector);
  });

  it('runs Redis persistently (append-only, 1Gi claim) as a non-root user behind a headless Service', () => {
    const sts = obj(find(objects, 'StatefulSet', 'mesh-soak-redis')?.o.spec);
    const rpod = podSpecOf(find(objects, 'StatefulSet', 'mesh-soak-redis'));
    const rc = obj(arr(rpod.containers)[0]);
    expect(String(rc.image)).toMatch(/^redis:7\.0/);
    expect(strs(rc.args).join(' ')).toContain('--appendonly yes');
    const claim = obj(arr(sts.volumeClaimTemplates)[0]);
    expect(obj(obj(obj(claim.spec).resources).requests).storage).toBe('1Gi');
    expect(arr(rc.volumeMounts).map((m) => obj(m).name)).toContain(obj(claim.metadata).name);
    expect(obj(rpod.securityContext).runAsNonRoot).toBe(true);
    expect(obj(rc.securityContext).allowPrivilegeEscalation).toBe(false);
    expect(obj(rc.securityContext).readOnlyRootFilesystem).toBe(true);
    expect(obj(find(objects, 'Service', 'mesh-soak-redis')?.o.spec).clusterIP).toBe('None');
    expect(sts.serviceName).toBe('mesh-soak-redis');
  });

  it('has a config for this setup: its Prometheus, its Alertmanager (if any), Redis, the four suites and the release-qualification checks', () => {
    const config = obj(parseYaml(configText(objects)));
    expect(obj(config.prometheus).url).toBe(URLS[setup].prometheus);
    expect(obj(obj(config.notify).alertmanager).url).toBe(URLS[setup].alertmanager);
    expect(obj(config.redis).url).toBe('redis://mesh-soak-redis:6379');
    const entries = arr(config.suites).map(obj);
    expect(entries.map((e) => e.use)).toEqual(['http10', 'graceful-shutdown', 'gateway-bouncer', 'release-qualification', 'istio-upgrader']);
    expect(entries.find((e) => e.use === 'istio-upgrader')?.enabled).toBe(false);
  });

  it('has a config that loads with mesh-soak\'s own loader, suites included, with no env set', async () => {
    const file = join(dir, `${setup}-${_label.startsWith('helm') ? 'helm' : 'kustomize'}.yaml`);
    writeFileSync(file, configText(objects));
    const config = await loadConfig(file, { env: {}, suitesDir: SUITES });
    expect(config.suites.map((s) => [s.name, s.enabled])).toEqual([
      ['http10', true],
      ['graceful-shutdown', true],
      ['gateway-bouncer', true],
      ['release-qualification', true],
      ['istio-upgrader', false],
    ]);
    const gb = config.suites.find((s) => s.name === 'gateway-bouncer');
    expect(gb?.disruption?.steps[0]).toEqual({ scale: { deployment: 'istiod', replicas: 0 } });
    expect(gb?.checks.map((x) => x.name)).toContain('client-restarts');
    // istio-upgrader rolls the control plane: it holds the lock every benchmark holds, so it never runs during one.
    const upgrader = config.suites.find((s) => s.name === 'istio-upgrader');
    expect(upgrader?.exclusive?.locks).toEqual(['control-plane']);
    expect(benchResources('bench')).toContain('control-plane');
  });
});

describe('the example Secret (deploy/examples/mesh-soak-secrets.yaml)', () => {
  const [secret] = readDocs(join(DEPLOY, 'examples/mesh-soak-secrets.yaml'));

  it('is the Secret the Deployment reads, with every key it references', () => {
    expect(secret?.kind).toBe('Secret');
    expect(obj(secret?.metadata)).toMatchObject({ name: 'mesh-soak-secrets', namespace: 'mesh-soak' });
    expect(Object.keys(obj(secret?.stringData)).sort()).toEqual(Object.values(SECRET_ENV).sort());
  });

  it('makes a config that names the webhook variables load', async () => {
    const text = configText(overlay('plain-prometheus')).replace(
      'notify:\n',
      'notify:\n  webhooks:\n    - { name: slack, url: "${SLACK_WEBHOOK_URL}", format: slack }\n    - { name: webhook, url: "${WEBHOOK_URL}", format: json }\n',
    );
    const file = join(dir, 'with-webhooks.yaml');
    writeFileSync(file, text);
    const data = obj(secret?.stringData);
    const env = { SLACK_WEBHOOK_URL: String(data['slack-webhook-url']), WEBHOOK_URL: String(data['webhook-url']) };
    const config = await loadConfig(file, { env, suitesDir: SUITES });
    expect(config.notify.webhooks.map((w) => [w.name, w.url])).toEqual([
      ['slack', env.SLACK_WEBHOOK_URL],
      ['webhook', env.WEBHOOK_URL],
    ]);
  });
});

describe('rules file', () => {
  it('parses as one document with the mesh-soak group', () => {
    const docs = readDocs(join(DEPLOY, 'rules/mesh-soak.rules.yaml'));
    expect(docs).toHaveLength(1);
    expect(arr(obj(docs[0]).groups).map((g) => obj(g).name)).toEqual(['mesh-soak']);
  });

  it('has the same groups as the rendered PrometheusRule, from kustomize and from Helm', () => {
    const plain = obj(readDocs(join(DEPLOY, 'rules/mesh-soak.rules.yaml'))[0]).groups;
    for (const objects of [overlay('kube-prometheus-stack'), helmSetup('kube-prometheus-stack')]) {
      expect(obj(find(objects, 'PrometheusRule', 'mesh-soak')?.o.spec).groups).toEqual(plain);
    }
  });
});
