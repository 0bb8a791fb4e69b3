// Test helper: every permission a shipped suite needs, derived from its suite.yaml — its
// manifests (suites apply/delete, the "not deployed" probe), each disruption step by kind
// (the API calls src/adapters/kube makes for it), the files its manifest steps apply, and its
// `logs` checks. A step kind without a mapping here throws, so a suite that gains a step
// fails the RBAC tests until its grant (and this table) cover it.
import { arr, obj, type K8sObject, type Obj, type SuiteData } from './manifests.js';
import { RESOURCE, type Need } from './rbac-rules.js';

type StepNeeds = (args: Obj, ns: string, suite: SuiteData) => Need[];

const need = (group: string, resource: string, verbs: string[], namespace: string | undefined, why: string, name?: string): Need[] =>
  verbs.map((verb) => ({ group, resource, verb, ...(namespace === undefined ? {} : { namespace }), ...(name === undefined ? {} : { name }), why }));

/** A name the step resolves at run time ({{choice.x}}) is no name: the grant must not pin one. */
const literal = (v: unknown): string | undefined => (typeof v === 'string' && !v.includes('{{') ? v : undefined);

/** Server-side apply (create when absent), the journal's read, delete, and `bind` on a binding's role. */
export function objectNeeds(o: K8sObject, why: string): Need[] {
  const res = RESOURCE[o.kind];
  if (!res) throw new Error(`${o.file}: kind ${o.kind} has no RBAC mapping (test/unit/deploy/rbac-rules.ts RESOURCE)`);
  const ns = res.cluster ? undefined : o.namespace;
  const out = [...need(res.group, res.resource, ['create'], ns, why), ...need(res.group, res.resource, ['get', 'patch', 'delete'], ns, why, o.name)];
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
    const ref = obj(o.o.roleRef);
    const cluster = ref.kind === 'ClusterRole';
    out.push(...need('rbac.authorization.k8s.io', cluster ? 'clusterroles' : 'roles', ['bind'], cluster ? undefined : o.namespace, `${why}: bind ${String(ref.kind)} ${String(ref.name)}`, String(ref.name)));
  }
  return out;
}

const STEP_NEEDS: Record<string, StepNeeds> = {
  choose: () => [],
  sleep: () => [],
  rolloutRestart: (a, ns) => need('apps', 'deployments', ['get', 'patch'], ns, 'rolloutRestart', literal(a.deployment)),
  waitRollout: (a, ns) => need('apps', 'deployments', ['get'], ns, 'waitRollout', literal(a.deployment)),
  scale: (a, ns) => need('apps', 'deployments/scale', ['get', 'patch'], ns, 'scale', literal(a.deployment)),
  setEnv: (_a, ns) => need('apps', 'deployments', ['list', 'patch'], ns, 'setEnv'),
  deletePods: (_a, ns) => need('', 'pods', ['list', 'delete'], ns, 'deletePods'),
  applyManifest: (a, _ns, s) => s.file(String(a.file)).flatMap((o) => objectNeeds(o, `applyManifest ${String(a.file)}`)),
  deleteManifest: (a, _ns, s) => s.file(String(a.file)).flatMap((o) => objectNeeds(o, `deleteManifest ${String(a.file)}`)),
  labelNamespace: (a, ns) => [
    ...need('', 'namespaces', ['get', 'patch'], undefined, 'labelNamespace', ns),
    ...(a.restartDeployments === true ? need('apps', 'deployments', ['list', 'patch'], ns, 'labelNamespace restartDeployments') : []),
  ],
};

/** The step kinds this table maps (what a new step kind must join). */
export const MAPPED_STEP_KINDS = Object.keys(STEP_NEEDS);

export function stepNeeds(suite: SuiteData, step: Obj): Need[] {
  const [kind, raw] = Object.entries(step)[0] ?? ['(empty step)', {}];
  const fn = STEP_NEEDS[kind];
  if (!fn) throw new Error(`${suite.name}: step kind ${kind} has no RBAC mapping (test/unit/deploy/suite-needs.ts)`);
  const args = obj(raw);
  const ns = String(args.namespace ?? suite.spec.namespace);
  return fn(args, ns, suite).map((n) => ({ ...n, why: `${suite.name} ${n.why}` }));
}

/** Everything the suite needs: manifests, the "not deployed" probe, steps, logs checks. */
export function suiteNeeds(suite: SuiteData): Need[] {
  const out = suite.objects.flatMap((o) => objectNeeds(o, `${suite.name} manifest ${o.file}`));
  if (suite.objects.length > 0) out.push(...need('', 'namespaces', ['get'], undefined, `${suite.name} probe`, String(suite.spec.namespace)));
  for (const step of arr(obj(suite.spec.disruption).steps).map(obj)) out.push(...stepNeeds(suite, step));
  for (const check of arr(suite.spec.checks).map(obj)) {
    const logs = obj(check.logs);
    if (check.logs === undefined) continue;
    const ns = String(logs.namespace ?? suite.spec.namespace);
    out.push(...need('', 'pods', ['list'], ns, `${suite.name} logs check ${String(check.name)}`), ...need('', 'pods/log', ['get'], ns, `${suite.name} logs check ${String(check.name)}`));
  }
  return out;
}

export const describeNeed = (n: Need): string => `${n.why}: ${n.verb} ${n.group || 'core'}/${n.resource}${n.name ? `/${n.name}` : ''} in ${n.namespace ?? '(cluster)'}`;
