// mesh-soak's RBAC as a user would audit it, in what kustomize and Helm render: no wildcards,
// cluster scope only for cluster objects, and enough rights for every manifest and disruption
// step the suites ship. (RBAC is the same in every overlay: the base's.)
import { describe, expect, it } from 'vitest';
import { arr, obj, SHIPPED_SUITES, strs, suiteData, type K8sObject } from './manifests.js';
import { helmTemplate, kustomize } from './render.js';
import { allows, RESOURCE, rulesOf } from './rbac-rules.js';

const rbacKinds = ['Role', 'ClusterRole'];

const RENDERINGS: [string, () => K8sObject[]][] = [
  ['kustomize deploy/base', () => kustomize('base')],
  ['helm template (defaults)', () => helmTemplate()],
];

describe.each(RENDERINGS)('RBAC of %s', (_label, render) => {
  const objects = render();

  it('has no wildcard in any rule, in the install or in the suites', () => {
    const all: K8sObject[] = [...objects, ...SHIPPED_SUITES.flatMap((s) => suiteData(s).objects)];
    const roles = all.filter((o) => rbacKinds.includes(o.kind));
    expect(roles.length).toBeGreaterThan(3);
    for (const r of roles) {
      for (const rule of arr(r.o.rules).map(obj)) {
        for (const k of ['verbs', 'resources', 'apiGroups', 'resourceNames']) {
          expect(strs(rule[k]), `${r.file} ${r.name} ${k}`).not.toContain('*');
        }
      }
    }
  });

  it('uses the ClusterRole only for cluster-scoped objects', () => {
    const clusterResources = Object.values(RESOURCE).filter((r) => r.cluster).map((r) => r.resource);
    for (const rule of rulesOf(objects, 'ClusterRole')) {
      for (const res of rule.resources) expect(clusterResources, res).toContain(res);
    }
  });

  it('lets mesh-soak apply and delete every object of every suite, in that object\'s scope', () => {
    for (const name of SHIPPED_SUITES) {
      for (const { kind, name: objName, namespace, file } of suiteData(name).objects) {
        const res = RESOURCE[kind];
        expect(res, `${file}: kind ${kind} has no RBAC mapping`).toBeDefined();
        if (!res) continue;
        const rules = res.cluster ? rulesOf(objects, 'ClusterRole') : rulesOf(objects, 'Role', namespace);
        expect(allows(rules, res.group, res.resource, 'create'), `${file} ${kind} create`).toBe(true);
        for (const verb of ['get', 'patch', 'delete']) {
          expect(allows(rules, res.group, res.resource, verb, objName), `${file} ${kind}/${objName} ${verb}`).toBe(true);
        }
      }
    }
  });

  it('lets mesh-soak run every disruption step of every suite', () => {
    const needs: Record<string, [string, string, string[]][]> = {
      rolloutRestart: [['apps', 'deployments', ['get', 'patch']]],
      waitRollout: [['apps', 'deployments', ['get']]],
      scale: [['apps', 'deployments/scale', ['get', 'patch']]],
      setEnv: [['apps', 'deployments', ['list', 'patch']]],
      deletePods: [['', 'pods', ['list', 'delete']]],
      sleep: [],
    };
    let steps = 0;
    for (const name of SHIPPED_SUITES) {
      const { spec } = suiteData(name);
      for (const step of arr(obj(spec.disruption).steps).map(obj)) {
        const [kind, args] = Object.entries(step)[0] ?? ['', {}];
        const ns = String(obj(args).namespace ?? spec.namespace);
        for (const [group, resource, verbs] of needs[kind] ?? []) {
          for (const verb of verbs) {
            expect(allows(rulesOf(objects, 'Role', ns), group, resource, verb), `${name} ${kind} ${verb} ${resource} in ${ns}`).toBe(true);
          }
        }
        steps++;
      }
    }
    expect(steps).toBeGreaterThan(5);
  });

  it('cannot create or delete anything in istio-system', () => {
    const rules = rulesOf(objects, 'Role', 'istio-system');
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(r.verbs.filter((v) => ['create', 'delete', 'update'].includes(v))).toEqual([]);
  });
});
