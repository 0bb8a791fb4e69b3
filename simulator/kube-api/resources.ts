// The fake server's resource catalogue: which group/version/resource/kind exist, whether
// they are namespaced, and the discovery documents built from them. client-node's generic
// object API reads discovery before every first call for an apiVersion, so a kind missing
// here is refused by the client before the server ever sees the request.

import { isObject, type JsonObject } from './json.js';

export interface ResourceType {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  kind: string;
  namespaced: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Short names and categories as the real API server (and Istio's CRDs) declare them. */
const SHORT_NAMES: Record<string, string[]> = {
  namespaces: ['ns'],
  nodes: ['no'],
  pods: ['po'],
  services: ['svc'],
  serviceaccounts: ['sa'],
  configmaps: ['cm'],
  endpoints: ['ep'],
  events: ['ev'],
  persistentvolumeclaims: ['pvc'],
  deployments: ['deploy'],
  statefulsets: ['sts'],
  daemonsets: ['ds'],
  replicasets: ['rs'],
  cronjobs: ['cj'],
  poddisruptionbudgets: ['pdb'],
  customresourcedefinitions: ['crd', 'crds'],
  horizontalpodautoscalers: ['hpa'],
  networkpolicies: ['netpol'],
  ingresses: ['ing'],
  virtualservices: ['vs'],
  destinationrules: ['dr'],
  serviceentries: ['se'],
  workloadentries: ['we'],
  peerauthentications: ['pa'],
  requestauthentications: ['ra'],
  servicemonitors: ['smon'],
  podmonitors: ['pmon'],
  prometheusrules: ['promrule'],
};
const IN_ALL = new Set(['pods', 'services', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'horizontalpodautoscalers']);

function shortNames(t: ResourceType): string[] {
  if (t.group === 'gateway.networking.k8s.io') return [];
  if (t.group === 'networking.istio.io' && t.resource === 'gateways') return ['gw'];
  return SHORT_NAMES[t.resource] ?? [];
}

function categories(t: ResourceType): string[] {
  if (t.group === '' || !t.group.includes('.') || t.group.endsWith('.k8s.io')) return IN_ALL.has(t.resource) ? ['all'] : [];
  return t.group.endsWith('istio.io') ? ['istio-io', t.group.split('.')[0] ?? ''] : [];
}

const rt = (group: string, versions: string[], namespaced: boolean, pairs: [string, string][]): ResourceType[] =>
  versions.flatMap((version) => pairs.map(([resource, kind]) => ({ group, version, resource, kind, namespaced })));

/** Everything the suites' manifests use, plus the usual neighbours; more via `addResourceType`. */
export const DEFAULT_RESOURCES: ResourceType[] = [
  ...rt('', ['v1'], false, [['namespaces', 'Namespace'], ['nodes', 'Node']]),
  ...rt('', ['v1'], true, [
    ['pods', 'Pod'],
    ['services', 'Service'],
    ['serviceaccounts', 'ServiceAccount'],
    ['configmaps', 'ConfigMap'],
    ['secrets', 'Secret'],
    ['endpoints', 'Endpoints'],
    ['events', 'Event'],
    ['persistentvolumeclaims', 'PersistentVolumeClaim'],
  ]),
  ...rt('apps', ['v1'], true, [
    ['deployments', 'Deployment'],
    ['statefulsets', 'StatefulSet'],
    ['daemonsets', 'DaemonSet'],
    ['replicasets', 'ReplicaSet'],
  ]),
  ...rt('batch', ['v1'], true, [['jobs', 'Job'], ['cronjobs', 'CronJob']]),
  ...rt('policy', ['v1'], true, [['poddisruptionbudgets', 'PodDisruptionBudget']]),
  ...rt('autoscaling', ['v2'], true, [['horizontalpodautoscalers', 'HorizontalPodAutoscaler']]),
  ...rt('rbac.authorization.k8s.io', ['v1'], true, [['roles', 'Role'], ['rolebindings', 'RoleBinding']]),
  ...rt('rbac.authorization.k8s.io', ['v1'], false, [['clusterroles', 'ClusterRole'], ['clusterrolebindings', 'ClusterRoleBinding']]),
  ...rt('apiextensions.k8s.io', ['v1'], false, [['customresourcedefinitions', 'CustomResourceDefinition']]),
  // canary-upgrader's revision ships its sidecar-injection webhook.
  ...rt('admissionregistration.k8s.io', ['v1'], false, [
    ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration'],
    ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration'],
  ]),
  ...rt('networking.k8s.io', ['v1'], true, [['networkpolicies', 'NetworkPolicy'], ['ingresses', 'Ingress']]),
  ...rt('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'], true, [
    ['gateways', 'Gateway'],
    ['virtualservices', 'VirtualService'],
    ['destinationrules', 'DestinationRule'],
    ['serviceentries', 'ServiceEntry'],
    ['sidecars', 'Sidecar'],
    ['workloadentries', 'WorkloadEntry'],
    ['envoyfilters', 'EnvoyFilter'],
  ]),
  ...rt('security.istio.io', ['v1', 'v1beta1'], true, [
    ['peerauthentications', 'PeerAuthentication'],
    ['authorizationpolicies', 'AuthorizationPolicy'],
    ['requestauthentications', 'RequestAuthentication'],
  ]),
  ...rt('telemetry.istio.io', ['v1', 'v1alpha1'], true, [['telemetries', 'Telemetry']]),
  ...rt('gateway.networking.k8s.io', ['v1', 'v1beta1'], true, [
    ['gateways', 'Gateway'],
    ['httproutes', 'HTTPRoute'],
  ]),
  ...rt('monitoring.coreos.com', ['v1'], true, [
    ['servicemonitors', 'ServiceMonitor'],
    ['podmonitors', 'PodMonitor'],
    ['prometheusrules', 'PrometheusRule'],
  ]),
];

/** The resource types a CustomResourceDefinition declares (one per served version). */
export function crdTypes(crd: JsonObject): ResourceType[] {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  const group = typeof spec.group === 'string' ? spec.group : '';
  const resource = typeof names.plural === 'string' ? names.plural : '';
  const kind = typeof names.kind === 'string' ? names.kind : '';
  if (group === '' || resource === '' || kind === '') return [];
  return versions
    .filter((v) => v.served !== false && typeof v.name === 'string')
    .map((v) => ({ group, version: String(v.name), resource, kind, namespaced: spec.scope !== 'Cluster' }));
}

export class ResourceCatalogue {
  private readonly types: ResourceType[];
  constructor(types: ResourceType[] = DEFAULT_RESOURCES) {
    this.types = [...types];
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  add(t: ResourceType): void {
    if (!this.find(t.group, t.version, t.resource)) this.types.push(t);
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  findAnyVersion(group: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** GET /api */
  coreVersions(): JsonObject {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  }

  /** GET /apis */
  groupList(): JsonObject {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (t.group === '') continue;
      const vs = groups.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      groups.set(t.group, vs);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, vs]) => ({
        name,
        versions: vs.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${vs[0] ?? ''}`, version: vs[0] ?? '' },
      })),
    };
  }

  /** GET /api/v1 or /apis/GROUP/VERSION; undefined when the group/version is unknown. */
  resourceList(group: string, version: string): JsonObject | undefined {
    const here = this.types.filter((t) => t.group === group && t.version === version);
    if (here.length === 0) return undefined;
    const resources: JsonObject[] = here.map((t) => ({
      name: t.resource,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.resource === 'namespaces' ? VERBS.filter((v) => v !== 'deletecollection') : VERBS,
      ...(shortNames(t).length > 0 ? { shortNames: shortNames(t) } : {}),
      ...(categories(t).length > 0 ? { categories: categories(t) } : {}),
    }));
    const sub = (name: string, kind: string, verbs: string[], extra: JsonObject = {}): JsonObject => ({ name, singularName: '', namespaced: true, kind, verbs, ...extra });
    if (group === '' && version === 'v1') {
      resources.push(sub('pods/status', 'Pod', ['get', 'patch', 'update']));
      resources.push({ ...sub('namespaces/status', 'Namespace', ['get', 'patch', 'update']), namespaced: false });
    }
    if (group === 'apps' && version === 'v1') {
      resources.push(sub('deployments/scale', 'Scale', ['get', 'patch', 'update'], { group: 'autoscaling', version: 'v1' }));
      resources.push(sub('deployments/status', 'Deployment', ['get', 'patch', 'update']));
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group === '' ? version : `${group}/${version}`,
      resources,
    };
  }
}
