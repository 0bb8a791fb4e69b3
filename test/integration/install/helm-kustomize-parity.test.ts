// kustomize (deploy/) and Helm (charts/mesh-soak) render the same objects for the same choices:
// the same kind/namespace/name set and, object by object, the same content — containers, env,
// probes, security, RBAC rules, selectors, labels, annotations, volumes, the config — once the
// differences that are each tool's own way of doing one thing are normalised (parity.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEPLOY, obj } from '../../unit/deploy/manifests.js';
import { helmSetup, helmTemplate, kustomizeOwn, overlay } from '../../unit/deploy/render.js';
import { expectSame } from './parity.js';

const release = (value: string) =>
  ['patches:', '  - target: { group: monitoring.coreos.com }', '    patch: |-', '      - op: add', '        path: /metadata/labels/release', `        value: ${value}`].join('\n');

describe('kustomize and Helm render the same objects', () => {
  it('plain Prometheus: deploy/overlays/plain-prometheus = the chart\'s defaults = ci/plain-prometheus-values.yaml', () => {
    expectSame(overlay('plain-prometheus'), helmTemplate());
    expectSame(overlay('plain-prometheus'), helmSetup('plain-prometheus'));
  });

  it('kube-prometheus-stack: the overlay = ci/kube-prometheus-stack-values.yaml', () => {
    expectSame(overlay('kube-prometheus-stack'), helmSetup('kube-prometheus-stack'));
  });

  it('kube-prometheus-stack with release=X: the overlay plus the release patch = the values plus the release labels', () => {
    const kustomized = kustomizeOwn(['resources: ["{{deploy}}/overlays/kube-prometheus-stack"]', release('monitoring-x')].join('\n'));
    const helmed = helmTemplate({
      values: ['ci/kube-prometheus-stack-values.yaml'],
      set: ['serviceMonitor.labels.release=monitoring-x', 'prometheusRule.labels.release=monitoring-x'],
    });
    expectSame(kustomized, helmed);
    const labels = kustomized.filter((o) => String(o.o.apiVersion).startsWith('monitoring.coreos.com/')).map((o) => obj(obj(o.o.metadata).labels).release);
    expect(labels).toEqual(['monitoring-x', 'monitoring-x']);
  });

  it('Istio\'s sample addons: the overlay = ci/istio-sample-addons-values.yaml', () => {
    expectSame(overlay('istio-sample-addons'), helmSetup('istio-sample-addons'));
  });

  it('a user\'s choices: image, replicas and a Slack webhook, each tool\'s way', () => {
    const config = readFileSync(join(DEPLOY, 'base/config.yaml'), 'utf8').replace(
      'notify:\n',
      'notify:\n  webhooks:\n    - { name: slack, url: "${SLACK_WEBHOOK_URL}", format: slack }\n',
    );
    const kustomized = kustomizeOwn(
      [
        'resources: ["{{deploy}}/overlays/plain-prometheus"]',
        'images: [{ name: mesh-soak, newName: registry.example.com/team/mesh-soak, newTag: 1.2.3 }]',
        'replicas: [{ name: mesh-soak, count: 3 }]',
        'configMapGenerator:',
        '  - { name: mesh-soak-config, namespace: mesh-soak, behavior: replace, files: [config.yaml] }',
      ].join('\n'),
      { 'config.yaml': config },
    );
    const helmed = helmTemplate({
      set: ['image.repository=registry.example.com/team/mesh-soak', 'image.tag=1.2.3', 'replicas=3', 'webhooks.slack.enabled=true'],
    });
    expectSame(kustomized, helmed);
  });

  it('the extra suites\' RBAC: the overlay plus components/extra-suites-rbac = extraSuitesRbac.enabled=true', () => {
    const kustomized = kustomizeOwn(['resources: ["{{deploy}}/overlays/plain-prometheus"]', 'components: ["{{deploy}}/components/extra-suites-rbac"]'].join('\n'));
    const helmed = helmTemplate({ set: ['extraSuitesRbac.enabled=true'] });
    expectSame(kustomized, helmed);
    // The toggle adds objects: the comparison above is not the defaults' again.
    expect(helmed.length).toBeGreaterThan(helmTemplate().length + 20);
    expect(() => expectSame(kustomized, helmTemplate({ set: ['extraSuitesRbac.enabled=true', 'extraSuitesRbac.suites={chaos-partial,chaos-total}'] }))).toThrow();
  });

  it('notices a difference (the comparison is not vacuous)', () => {
    expect(() => expectSame(overlay('plain-prometheus'), helmTemplate({ set: ['replicas=1'] }))).toThrow(/Deployment\/mesh-soak\/mesh-soak/);
    expect(() => expectSame(overlay('plain-prometheus'), helmSetup('kube-prometheus-stack'))).toThrow();
  });
});
