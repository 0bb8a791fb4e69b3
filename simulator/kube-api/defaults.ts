// The defaults the API server fills in on write, for the fields a client reads back and the
// simulated controllers depend on (a Deployment's strategy and replicas, a pod template's
// restart policy and grace period, a container's pull policy, a Service's type, protocol,
// targetPort and cluster IP). Idempotent: defaulting a defaulted object changes nothing.

import { child, isObject, type JsonObject } from './json.js';
import type { ResourceType } from './resources.js';

function setDefault(obj: JsonObject, key: string, value: JsonObject[string]): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function podSpecDefaults(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const list of ['containers', 'initContainers']) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs.filter(isObject)) {
      const image = typeof c.image === 'string' ? c.image : '';
      const tagged = /:[^/]+$/.test(image) && !image.endsWith(':latest');
      setDefault(c, 'imagePullPolicy', tagged || image.includes('@') ? 'IfNotPresent' : 'Always');
      setDefault(c, 'terminationMessagePath', '/dev/termination-log');
      setDefault(c, 'terminationMessagePolicy', 'File');
      setDefault(c, 'resources', {});
      if (Array.isArray(c.ports)) for (const p of c.ports.filter(isObject)) setDefault(p, 'protocol', 'TCP');
    }
  }
}

function deploymentDefaults(spec: JsonObject): void {
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    setDefault(ru, 'maxSurge', '25%');
    setDefault(ru, 'maxUnavailable', '25%');
  }
}

function serviceDefaults(spec: JsonObject, clusterIp: () => string): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'clusterIP', clusterIp());
    if (spec.clusterIP !== 'None') setDefault(spec, 'clusterIPs', [spec.clusterIP ?? '']);
  }
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports.filter(isObject)) {
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port ?? null);
    }
  }
}

/** Fills in `obj`'s defaults in place; `clusterIp` hands out a new Service address. */
export function applyDefaults(t: ResourceType, obj: JsonObject, clusterIp: () => string): void {
  const spec = isObject(obj.spec) ? obj.spec : undefined;
  if (!spec) return;
  if (t.group === 'apps' && ['deployments', 'statefulsets', 'daemonsets', 'replicasets'].includes(t.resource)) {
    if (t.resource === 'deployments') deploymentDefaults(spec);
    else if (t.resource !== 'daemonsets') setDefault(spec, 'replicas', 1);
    const template = isObject(spec.template) ? spec.template : undefined;
    if (template && isObject(template.spec)) podSpecDefaults(template.spec);
  }
  if (t.group === '' && t.resource === 'pods') podSpecDefaults(spec);
  if (t.group === '' && t.resource === 'services') serviceDefaults(spec, clusterIp);
}
