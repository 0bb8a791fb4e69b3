// Test helper: RBAC as the API server would judge it, over rendered objects — the rules bound
// to mesh-soak's ServiceAccount and whether they allow a verb on a resource (by name, when the
// rule pins names) — and the REST resource of each kind the suites ship.
import { arr, obj, type K8sObject } from './manifests.js';

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The rules of every Role (in `namespace`) or ClusterRole bound to mesh-soak's service account. */
export function rulesOf(objects: K8sObject[], kind: 'Role' | 'ClusterRole', namespace?: string): Rule[] {
  const bound = objects.filter(
    (b) =>
      (b.kind === 'RoleBinding' || b.kind === 'ClusterRoleBinding') &&
      arr(b.o.subjects).some((s) => obj(s).name === 'mesh-soak' && obj(s).namespace === 'mesh-soak'),
  );
  return objects
    .filter((r) => r.kind === kind && (kind === 'ClusterRole' || r.namespace === namespace))
    .filter((r) =>
      bound.some((b) => obj(b.o.roleRef).kind === kind && obj(b.o.roleRef).name === r.name && b.namespace === r.namespace),
    )
    .flatMap((r) => arr(r.o.rules).map((x) => x as Rule));
}

/** True when the rules allow `verb` on group/resource (for the named object, when given). */
export function allows(rules: Rule[], group: string, resource: string, verb: string, name?: string): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
  );
}

// The REST resource of each kind the suites ship; a new kind must be added here and to the Roles.
export const RESOURCE: Record<string, { group: string; resource: string; cluster?: true }> = {
  Namespace: { group: '', resource: 'namespaces', cluster: true },
  ClusterRole: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', cluster: true },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', cluster: true },
  MutatingWebhookConfiguration: { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', cluster: true },
  ServiceAccount: { group: '', resource: 'serviceaccounts' },
  Service: { group: '', resource: 'services' },
  ConfigMap: { group: '', resource: 'configmaps' },
  Deployment: { group: 'apps', resource: 'deployments' },
  Role: { group: 'rbac.authorization.k8s.io', resource: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  Gateway: { group: 'networking.istio.io', resource: 'gateways' },
  VirtualService: { group: 'networking.istio.io', resource: 'virtualservices' },
  Issuer: { group: 'cert-manager.io', resource: 'issuers' },
  Certificate: { group: 'cert-manager.io', resource: 'certificates' },
};

/** A permission one object or step needs: verb on group/resource, in a namespace (none: cluster), of a name. */
export interface Need {
  group: string;
  resource: string;
  verb: string;
  namespace?: string;
  name?: string;
  why: string;
}

/** Whether the rendered RBAC grants the need, in its scope. */
export function granted(objects: K8sObject[], n: Need): boolean {
  const rules = n.namespace === undefined ? rulesOf(objects, 'ClusterRole') : rulesOf(objects, 'Role', n.namespace);
  return allows(rules, n.group, n.resource, n.verb, n.name);
}
