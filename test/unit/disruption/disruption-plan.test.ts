// The dry-run plan: what `disrupt --dry-run` says each step will send, computed from the
// suite alone. (That the runner then sends it is checked against the fake API in
// test/integration/suites/disruption-fake-api.test.ts.)

import { describe, expect, it } from 'vitest';
import type { Step, Suite } from '../../../src/config/model.js';
import { formatPlan, planDisruption, planRestore } from '../../../src/disruption/dry-run-plan.js';

const suite = (steps: Step[]): Suite => ({
  name: 'up', description: '', dir: '/x', namespace: 'ns', params: {}, manifests: [],
  disruption: { schedule: { every: 1000 }, steps }, checks: [], tickMs: 1000, enabled: true,
});
const at = Date.UTC(2026, 10, 25, 12, 0, 7, 450);

describe('dry-run plan', () => {
  it('setEnv lists the namespace\'s deployments and patches each with {{now}} filled in', () => {
    const [p] = planDisruption(suite([{ setEnv: { namespace: 'istio-system', env: { R: 'x-{{now}}' } } }]), at);
    expect(p?.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/istio-system/deployments',
      'PATCH /apis/apps/v1/namespaces/istio-system/deployments/{name}',
    ]);
    expect(JSON.stringify(p?.requests[1]?.body)).toContain(`{"name":"R","value":"x-${Math.floor(at / 1000)}"}`);
  });

  it('setEnv with a selector lists only the deployments it matches, as adapters/kube sends it', () => {
    const [p] = planDisruption(suite([{ setEnv: { namespace: 'istio-system', selector: 'istio', env: { R: '1' } } }]), at);
    expect(p?.requests[0]).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/istio-system/deployments', query: { labelSelector: 'istio' } });
    expect(p?.description).toBe('setEnv R=1 on every deployment matching istio in istio-system');
  });

  it('deletePods lists by selector and deletes all but `keep`', () => {
    const [p] = planDisruption(suite([{ deletePods: { selector: 'app=istiod', keep: 1 } }]), at);
    expect(p?.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/ns/pods', query: { labelSelector: 'app=istiod' } });
    expect(p?.requests[1]).toMatchObject({ method: 'DELETE', note: 'for every matching pod but 1' });
  });

  it('rolloutRestart carries the job time as kubectl writes it (seconds, no fraction)', () => {
    const [p] = planDisruption(suite([{ rolloutRestart: { deployment: 'web' } }]), at);
    expect(JSON.stringify(p?.requests[0]?.body)).toContain('"kubectl.kubernetes.io/restartedAt":"2026-11-25T12:00:07Z"');
  });

  it('restores only what scale steps changed, and says so in the printed plan', () => {
    const s = suite([
      { scale: { deployment: 'pilot', namespace: 'cp', replicas: 0 } },
      { sleep: { durationMs: 1000 } },
    ]);
    expect(planRestore(s).map((r) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /apis/apps/v1/namespaces/cp/deployments/pilot/scale',
      'GET /apis/apps/v1/namespaces/cp/deployments/pilot/scale',
    ]);
    expect(formatPlan(s, at)).toContain('3. restore (always, even after a failed step)');
    expect(planRestore(suite([{ sleep: { durationMs: 1 } }]))).toEqual([]);
    expect(formatPlan(suite([{ sleep: { durationMs: 1 } }]), at)).not.toContain('restore');
  });
});
