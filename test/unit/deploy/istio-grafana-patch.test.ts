// The one step of the Istio sample addons install that kustomize cannot do: patching the sample
// Grafana (no dashboard sidecar; dashboards come from provider files) with
// deploy/components/istio-sample-addons/grafana-patch.yaml. Applied client-side with the real
// kubectl to a stand-in with the shape of Istio's samples/addons/grafana.yaml that matters here:
// container "grafana", /var/lib/grafana on an emptyDir, Istio's provider file and dashboards
// folders mounted from ConfigMaps.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { arr, DEPLOY, obj, type Obj } from './manifests.js';
import { find, helmSetup, kubectlPatchLocal, overlay } from './render.js';

const PATCH = join(DEPLOY, 'components/istio-sample-addons/grafana-patch.yaml');

const sampleGrafana: Obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'grafana', namespace: 'istio-system' },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': 'grafana' } },
      spec: {
        containers: [
          {
            name: 'grafana',
            image: 'grafana/grafana',
            volumeMounts: [
              { name: 'storage', mountPath: '/var/lib/grafana' },
              { name: 'dashboards-istio', mountPath: '/var/lib/grafana/dashboards/istio' },
              { name: 'config', mountPath: '/etc/grafana/provisioning/dashboards/dashboardproviders.yaml', subPath: 'dashboardproviders.yaml' },
            ],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'grafana' } },
          { name: 'dashboards-istio', configMap: { name: 'istio-grafana-dashboards' } },
          { name: 'storage', emptyDir: {} },
        ],
      },
    },
  },
};

const podSpec = (d: Obj): Obj => obj(obj(obj(d.spec).template).spec);
const mounts = (d: Obj): Obj[] => arr(obj(arr(podSpec(d).containers)[0]).volumeMounts).map(obj);
const volumes = (d: Obj): Obj[] => arr(podSpec(d).volumes).map(obj);

describe('grafana-patch.yaml on the sample Grafana', () => {
  const patched = kubectlPatchLocal(sampleGrafana, PATCH);

  it('keeps Istio\'s own mounts and volumes', () => {
    for (const m of mounts(sampleGrafana)) expect(mounts(patched)).toContainEqual(m);
    for (const v of volumes(sampleGrafana)) expect(volumes(patched)).toContainEqual(v);
  });

  it('mounts the ConfigMaps the overlay and the chart put into istio-system', () => {
    const byName = Object.fromEntries(volumes(patched).map((v) => [v.name, obj(v.configMap).name]));
    for (const objects of [overlay('istio-sample-addons'), helmSetup('istio-sample-addons')]) {
      for (const cm of ['mesh-soak-dashboards', 'mesh-soak-grafana-provider']) {
        expect(find(objects, 'ConfigMap', cm)?.namespace, cm).toBe('istio-system');
        expect(Object.values(byName), cm).toContain(cm);
      }
    }
  });

  it('puts the provider file beside Istio\'s, pointing at the folder where the dashboards are mounted', () => {
    const providerMount = mounts(patched).find((m) => m.subPath === 'mesh-soak.yaml');
    expect(String(providerMount?.mountPath)).toMatch(/^\/etc\/grafana\/provisioning\/dashboards\/[^/]+\.yaml$/);
    expect(providerMount?.mountPath).not.toBe('/etc/grafana/provisioning/dashboards/dashboardproviders.yaml');
    const providerCm = find(overlay('istio-sample-addons'), 'ConfigMap', 'mesh-soak-grafana-provider');
    const provider = obj(arr(obj(parseYaml(String(obj(providerCm?.o.data)['mesh-soak.yaml']))).providers)[0]);
    expect(provider.type).toBe('file');
    const dashboardsVolume = volumes(patched).find((v) => obj(v.configMap).name === 'mesh-soak-dashboards')?.name;
    const dashboardsMount = mounts(patched).find((m) => m.name === dashboardsVolume);
    expect(obj(provider.options).path).toBe(dashboardsMount?.mountPath);
    // Inside Grafana's emptyDir, outside Istio's own dashboard folders.
    expect(String(dashboardsMount?.mountPath)).toMatch(/^\/var\/lib\/grafana\/dashboards\/mesh-soak$/);
  });

  it('changes nothing the second time', () => {
    expect(kubectlPatchLocal(patched, PATCH)).toEqual(patched);
  });
});
