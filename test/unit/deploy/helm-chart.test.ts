// The Helm chart (charts/mesh-soak) with the real helm v4: lint, and what each value does to
// the rendered objects, as a user setting them would check. Schema validation of the rendered
// objects is in kube-schema.test.ts, the hardening in deploy.test.ts, the comparison with
// kustomize in test/integration/install/.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../../src/config/index.js';
import { arr, obj, SUITES, type K8sObject } from './manifests.js';
import { configText, find, helmLint, helmPackageFiles, helmSetup, helmTemplate, helmTemplateError, podSpecOf, SETUPS } from './render.js';

const dir = mkdtempSync(join(tmpdir(), 'mesh-soak-helm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const daemon = (objects: K8sObject[]) => find(objects, 'Deployment', 'mesh-soak');
const container = (objects: K8sObject[]) => obj(arr(podSpecOf(daemon(objects)).containers)[0]);
const podMeta = (objects: K8sObject[]) => obj(obj(obj(daemon(objects)?.o.spec).template).metadata);
const config = (objects: K8sObject[]) => obj(parseYaml(configText(objects)));
const labels = (o: K8sObject | undefined) => obj(obj(o?.o.metadata).labels);
const secretRefs = (objects: K8sObject[]) =>
  Object.fromEntries(arr(container(objects).env).map(obj).map((e) => [e.name, obj(obj(e.valueFrom).secretKeyRef)]));

describe('helm lint --strict', () => {
  it('passes with the defaults', () => {
    expect(helmLint()).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(SETUPS)('passes with ci/%s-values.yaml', (setup) => {
    expect(helmLint({ values: [`ci/${setup}-values.yaml`] })).toMatch(/0 chart\(s\) failed/);
  });
});

describe('values', () => {
  it('image: repository, tag (default: the chart\'s appVersion) and pull policy', () => {
    expect(container(helmTemplate()).image).toBe('mesh-soak:0.1.0');
    const c = container(helmTemplate({ set: ['image.repository=registry.example.com/team/mesh-soak', 'image.tag=1.2.3', 'image.pullPolicy=Always'] }));
    expect([c.image, c.imagePullPolicy]).toEqual(['registry.example.com/team/mesh-soak:1.2.3', 'Always']);
  });

  it('replicas', () => {
    expect(obj(daemon(helmTemplate({ set: ['replicas=3'] }))?.o.spec).replicas).toBe(3);
  });

  it('prometheus.url and alertmanager.url go into the config; an empty alertmanager.url leaves notify out', () => {
    const c = config(helmTemplate({ set: ['prometheus.url=http://prom.example:9090', 'alertmanager.url=http://am.example:9093'] }));
    expect(obj(c.prometheus).url).toBe('http://prom.example:9090');
    expect(obj(obj(c.notify).alertmanager).url).toBe('http://am.example:9093');
    expect(config(helmTemplate({ set: ['alertmanager.url='] })).notify).toBeUndefined();
  });

  it('suites and checks are the config\'s, as given', async () => {
    const objects = helmTemplate({
      valuesYaml: [
        'suites:',
        '  - use: graceful-shutdown',
        '    schedule: { every: 2m }',
        '    params: { qps: 20 }',
        'checks: []',
      ].join('\n'),
    });
    expect(config(objects).suites).toEqual([{ use: 'graceful-shutdown', schedule: { every: '2m' }, params: { qps: 20 } }]);
    const file = join(dir, 'suites.yaml');
    writeFileSync(file, configText(objects));
    const loaded = await loadConfig(file, { env: {}, suitesDir: SUITES });
    expect(loaded.suites.map((s) => [s.name, s.params.qps])).toEqual([['graceful-shutdown', 20]]);
  });

  it('an enabled webhook is in the config as ${ENV}, its env comes from the Secret, and the config loads with it', async () => {
    const objects = helmTemplate({ set: ['webhooks.slack.enabled=true'] });
    expect(obj(config(objects).notify).webhooks).toEqual([{ name: 'slack', url: '${SLACK_WEBHOOK_URL}', format: 'slack' }]);
    expect(secretRefs(objects).SLACK_WEBHOOK_URL).toEqual({ name: 'mesh-soak-secrets', key: 'slack-webhook-url', optional: true });
    const file = join(dir, 'webhook.yaml');
    writeFileSync(file, configText(objects));
    const loaded = await loadConfig(file, { env: { SLACK_WEBHOOK_URL: 'https://hooks.example.com/x' }, suitesDir: SUITES });
    expect(loaded.notify.webhooks.map((w) => w.url)).toEqual(['https://hooks.example.com/x']);
  });

  it('a user\'s own webhook gets its env and config entry', () => {
    const objects = helmTemplate({
      valuesYaml: 'webhooks:\n  oncall: { enabled: true, format: json, env: ONCALL_URL, existingSecret: oncall, key: url }\n',
    });
    expect(obj(config(objects).notify).webhooks).toEqual([{ name: 'oncall', url: '${ONCALL_URL}', format: 'json' }]);
    expect(secretRefs(objects).ONCALL_URL).toEqual({ name: 'oncall', key: 'url', optional: true });
  });

  it('existingSecret names the Secret of every reference; a reference\'s own existingSecret wins', () => {
    const refs = secretRefs(helmTemplate({ set: ['existingSecret=soak', 'adminToken.existingSecret=admin-only'] }));
    expect(refs.MESH_SOAK_ADMIN_TOKEN).toEqual({ name: 'admin-only', key: 'admin-token', optional: true });
    expect(refs.SLACK_WEBHOOK_URL?.name).toBe('soak');
    expect(refs.WEBHOOK_URL?.name).toBe('soak');
  });

  it('scrapeAnnotations and podAnnotations', () => {
    const scrape = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' };
    expect(obj(podMeta(helmTemplate()).annotations)).toMatchObject(scrape);
    const off = obj(podMeta(helmTemplate({ set: ['scrapeAnnotations.enabled=false', 'podAnnotations.team=mesh'] })).annotations);
    for (const k of Object.keys(scrape)) expect(off[k], k).toBeUndefined();
    expect(off.team).toBe('mesh');
  });

  it('serviceMonitor and prometheusRule: off by default, labelled with the release to match when on', () => {
    expect(helmTemplate().map((o) => o.kind)).not.toContain('ServiceMonitor');
    expect(helmTemplate().map((o) => o.kind)).not.toContain('PrometheusRule');
    const objects = helmTemplate({
      set: ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true', 'serviceMonitor.labels.release=kps', 'prometheusRule.labels.release=kps', 'serviceMonitor.interval=15s'],
    });
    expect(labels(find(objects, 'ServiceMonitor', 'mesh-soak')).release).toBe('kps');
    expect(labels(find(objects, 'PrometheusRule', 'mesh-soak')).release).toBe('kps');
    expect(obj(arr(obj(find(objects, 'ServiceMonitor', 'mesh-soak')?.o.spec).endpoints)[0]).interval).toBe('15s');
  });

  it('dashboards: off by default; on, in the release namespace or dashboards.namespace, with dashboards.labels', () => {
    expect(find(helmTemplate(), 'ConfigMap', 'mesh-soak-dashboards')).toBeUndefined();
    const here = find(helmTemplate({ set: ['dashboards.enabled=true'] }), 'ConfigMap', 'mesh-soak-dashboards');
    expect([here?.namespace, labels(here).grafana_dashboard]).toEqual(['mesh-soak', '1']);
    const objects = helmTemplate({ set: ['dashboards.enabled=true', 'dashboards.namespace=grafana', 'dashboards.labels.grafana_dashboard=mesh'] });
    const there = find(objects, 'ConfigMap', 'mesh-soak-dashboards');
    expect([there?.namespace, labels(there).grafana_dashboard]).toEqual(['grafana', 'mesh']);
    expect(find(objects, 'ConfigMap', 'mesh-soak-grafana-provider')).toBeUndefined();
  });

  it('names objects "mesh-soak" whatever the release is called (one install per cluster)', () => {
    const key = (o: K8sObject) => `${o.kind}/${o.namespace ?? ''}/${o.name}`;
    expect(helmTemplate({ release: 'soak-test' }).map(key)).toEqual(helmTemplate().map(key));
  });
});

describe('rolling on config changes', () => {
  const checksum = (objects: K8sObject[]) => obj(podMeta(objects).annotations)['checksum/config'];

  it('puts a checksum of the config on the pod template: same values, same checksum; another config, another', () => {
    expect(checksum(helmTemplate())).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(helmTemplate({ release: 'again' }))).toBe(checksum(helmTemplate()));
    expect(checksum(helmTemplate({ set: ['tick=15s'] }))).not.toBe(checksum(helmTemplate()));
  });
});

describe('the values schema', () => {
  it('refuses a misspelt value, naming it', () => {
    expect(helmTemplateError({ set: ['replica=3'] })).toMatch(/additional properties 'replica' not allowed/);
  });

  it('refuses a Prometheus URL that is not http(s)', () => {
    expect(helmTemplateError({ set: ['prometheus.url=prometheus:9090'] })).toMatch(/prometheus\/url/);
  });
});

describe('the chart package', () => {
  it('holds the dashboards and files it reads, and not the ci/ values', () => {
    const files = helmPackageFiles();
    for (const f of ['mesh-soak/dashboards/mesh-soak-overview.json', 'mesh-soak/files/mesh-soak.rules.yaml', 'mesh-soak/files/grafana-provider.yaml', 'mesh-soak/values.schema.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('mesh-soak/ci/'))).toEqual([]);
  });
});

describe.each(SETUPS)('ci/%s-values.yaml', (setup) => {
  it('renders, with the release namespace on every namespaced object of mesh-soak\'s own', () => {
    const objects = helmSetup(setup);
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'Service', 'ServiceAccount'].includes(x.kind))) {
      expect(o.namespace, `${o.kind}/${o.name}`).toBe('mesh-soak');
    }
  });
});
