// What the synthetic metrics need to know about the cluster, read the way kube-state-metrics
// reads it: by listing deployments and pods through the Kubernetes API (here, usually, the
// fake API server of simulator/kube-api). Going through the real client keeps the simulation
// honest: it sees exactly what mesh-soak's disruptions did to the cluster.

import { ApiException, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { DeploymentView } from './istio-metrics.js';
import { certificateView, type CertificateView } from './certmanager-metrics.js';

export type ClusterView = () => Promise<DeploymentView[]>;
export type CertificatesView = () => Promise<CertificateView[]>;

/** cert-manager's Certificates (cert-manager.io/v1), as its controller watches them; none when the CRD is absent. */
export function kubeCertificatesView(kubeconfigPath: string): CertificatesView {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return async () => {
    try {
      const list = (await custom.listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificates' })) as { items?: Array<Record<string, unknown>> };
      return (list.items ?? []).map(certificateView);
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return [];
      throw err;
    }
  };
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function kubeClusterView(kubeconfigPath: string): ClusterView {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  return async () => {
    const [deployments, pods] = await Promise.all([apps.listDeploymentForAllNamespaces(), core.listPodForAllNamespaces()]);
    return deployments.items.map((d) => {
      const replicas = d.spec?.replicas ?? 1;
      const generation = d.metadata?.generation ?? 0;
      const observed = d.status?.observedGeneration ?? 0;
      const updated = d.status?.updatedReplicas ?? 0;
      const namespace = d.metadata?.namespace ?? 'default';
      const owned = pods.items
        .filter((p) => p.metadata?.namespace === namespace && matches(d.spec?.selector?.matchLabels, p.metadata?.labels))
        .map((p) => p.metadata?.name ?? '')
        .sort();
      return {
        namespace,
        name: d.metadata?.name ?? '',
        replicas,
        available: d.status?.availableReplicas ?? 0,
        // Until the last old pod is gone, connections to it can still be cut.
        rolling: observed < generation || updated < replicas || owned.length > replicas,
        pods: owned,
        containers: (d.spec?.template?.spec?.containers ?? []).map((c) => ({
          name: c.name,
          ...(c.image ? { image: c.image } : {}),
          argv: [...(c.command ?? []), ...(c.args ?? [])],
          env: Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)])),
        })),
      };
    });
  };
}
