// The opt-in RBAC of the five extra suites (deploy/components/extra-suites-rbac, Helm's
// extraSuitesRbac) rendered with the real kubectl kustomize and helm: it grants every verb on
// every resource each suite's manifests, steps and logs checks need (derived from the suites'
// own suite.yaml by test/unit/deploy/suite-needs.ts, so a new step fails here until granted),
// and nothing else: each rule of a mesh-soak-<suite> Role is needed by that suite. The base
// alone grants none of the five; no wildcards; Helm's `suites` narrows the grant.
import { describe, expect, it } from 'vitest';
import { arr, EXTRA_SUITES, obj, strs, suiteData, type K8sObject } from '../../unit/deploy/manifests.js';
import { helmTemplate, kustomizeOwn, overlay } from '../../unit/deploy/render.js';
import { granted, type Need, type Rule } from '../../unit/deploy/rbac-rules.js';
import { describeNeed, MAPPED_STEP_KINDS, stepNeeds, suiteNeeds } from '../../unit/deploy/suite-needs.js';

const withComponent = (): K8sObject[] =>
  kustomizeOwn(['resources: ["{{deploy}}/overlays/plain-prometheus"]', 'components: ["{{deploy}}/components/extra-suites-rbac"]'].join('\n'));

const RENDERINGS: [string, () => K8sObject[]][] = [
  ['kustomize plain-prometheus + components/extra-suites-rbac', withComponent],
  ['helm template --set extraSuitesRbac.enabled=true', () => helmTemplate({ set: ['extraSuitesRbac.enabled=true'] })],
];

const needs = new Map(EXTRA_SUITES.map((s) => [s, suiteNeeds(suiteData(s))]));

/** The rules of the grant named after the suite (Role in `namespace`, or the ClusterRole). */
function suiteRules(objects: K8sObject[], suite: string): Array<{ namespace?: string; rule: Rule }> {
  return objects
    .filter((o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.name === `mesh-soak-${suite}`)
    .flatMap((o) => arr(o.o.rules).map((r) => ({ ...(o.kind === 'Role' ? { namespace: o.namespace } : {}), rule: r as Rule })));
}

/** Whether some need of the suite uses this verb on this resource in this scope (by name, when the rule pins names). */
function needed(list: Need[], namespace: string | undefined, group: string, resource: string, verb: string, name?: string): boolean {
  return list.some((n) => n.namespace === namespace && n.group === group && n.resource === resource && n.verb === verb && (name === undefined || n.name === name));
}

describe.each(RENDERINGS)('%s', (_label, render) => {
  const objects = render();

  it.each(EXTRA_SUITES)('grants %s everything its manifests, steps and logs checks need', (suite) => {
    const list = needs.get(suite) ?? [];
    expect(list.length).toBeGreaterThan(0);
    expect(list.filter((n) => !granted(objects, n)).map(describeNeed)).toEqual([]);
  });

  it.each(EXTRA_SUITES)('grants %s nothing it does not need (each verb, resource and name of its rules is used)', (suite) => {
    const rules = suiteRules(objects, suite);
    expect(rules.length).toBeGreaterThan(0);
    const list = needs.get(suite) ?? [];
    const unused: string[] = [];
    for (const { namespace, rule } of rules) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          for (const verb of rule.verbs) {
            const names = rule.resourceNames ?? [undefined];
            for (const name of names) if (!needed(list, namespace, group, resource, verb, name)) unused.push(`${verb} ${group}/${resource}${name ? `/${name}` : ''} in ${namespace ?? '(cluster)'}`);
          }
        }
      }
    }
    expect(unused).toEqual([]);
  });

  it('has no wildcard and binds each grant to mesh-soak only', () => {
    const grants = objects.filter((o) => o.name.startsWith('mesh-soak-') && EXTRA_SUITES.includes(o.name.slice('mesh-soak-'.length)));
    expect(grants.length).toBeGreaterThanOrEqual(2 * 10);
    for (const g of grants) {
      for (const rule of arr(g.o.rules).map(obj)) for (const k of ['verbs', 'resources', 'apiGroups', 'resourceNames']) expect(strs(rule[k]), `${g.kind} ${g.namespace ?? ''}/${g.name} ${k}`).not.toContain('*');
      if (g.kind.endsWith('Binding')) expect(arr(g.o.subjects)).toEqual([{ kind: 'ServiceAccount', name: 'mesh-soak', namespace: 'mesh-soak' }]);
    }
  });
});

describe('the extra suites\' grant is opt-in and follows the suites', () => {
  it('the base alone grants none of the five (each lacks something)', () => {
    for (const rendering of [overlay('plain-prometheus'), helmTemplate()]) {
      for (const suite of EXTRA_SUITES) expect((needs.get(suite) ?? []).filter((n) => !granted(rendering, n)).length, suite).toBeGreaterThan(0);
    }
  });

  it('Helm\'s extraSuitesRbac.suites narrows the grant to the suites named', () => {
    const only = helmTemplate({ set: ['extraSuitesRbac.enabled=true', 'extraSuitesRbac.suites={logs-checker}'] });
    const names = new Set(only.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind) && o.name.startsWith('mesh-soak-')).map((o) => o.name));
    expect([...names].sort()).toEqual(['mesh-soak-logs-checker']);
    for (const n of needs.get('logs-checker') ?? []) expect(granted(only, n), describeNeed(n)).toBe(true);
    expect((needs.get('chaos-partial') ?? []).every((n) => granted(only, n))).toBe(false);
  });

  it('derives needs from every step kind the suites use, and refuses a step kind it has no mapping for', () => {
    const kinds = new Set(EXTRA_SUITES.flatMap((s) => arr(obj(suiteData(s).spec.disruption).steps).map((st) => Object.keys(obj(st))[0])));
    expect([...kinds].sort()).toEqual(['applyManifest', 'choose', 'deleteManifest', 'deletePods', 'labelNamespace', 'scale', 'sleep', 'waitRollout']);
    for (const k of kinds) expect(MAPPED_STEP_KINDS).toContain(k);
    expect(() => stepNeeds(suiteData('chaos-total'), { frobnicate: { namespace: 'istio-system' } })).toThrow(/step kind frobnicate has no RBAC mapping/);
    // canary-upgrader's binding of the installation's roles is a need, found through the applied file.
    expect((needs.get('canary-upgrader') ?? []).some((n) => n.verb === 'bind' && n.resource === 'clusterroles' && n.name === 'istiod-clusterrole-istio-system')).toBe(true);
  });
});
