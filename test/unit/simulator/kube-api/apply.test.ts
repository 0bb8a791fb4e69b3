import { describe, expect, it } from 'vitest';
import { recordUpdate, serverSideApply } from '../../../../simulator/kube-api/apply.js';
import type { JsonObject } from '../../../../simulator/kube-api/json.js';
import { ApiStatusError } from '../../../../simulator/kube-api/status.js';

const now = new Date('2026-01-01T00:00:00Z');
const cm = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });

describe('server-side apply', () => {
  it('records the manager and its fields', () => {
    const out = serverSideApply(undefined, cm({ a: '1' }), 'mesh-soak', false, now);
    expect(out.data).toEqual({ a: '1' });
    const mf = (out.metadata as JsonObject).managedFields as JsonObject[];
    expect(mf).toHaveLength(1);
    expect(mf[0]).toMatchObject({ manager: 'mesh-soak', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } });
  });

  it('removes fields the manager applied before and now omits, keeps fields of others', () => {
    const first = serverSideApply(undefined, cm({ a: '1', b: '2' }), 'mesh-soak', false, now);
    const edited = structuredClone(first);
    (edited.data as JsonObject).other = 'x';
    recordUpdate(first, edited, 'kubectl-edit', now);
    const second = serverSideApply(edited, cm({ a: '9' }), 'mesh-soak', false, now);
    expect(second.data).toEqual({ a: '9', other: 'x' });
  });

  it('conflicts on a field another manager owns unless forced', () => {
    const first = serverSideApply(undefined, cm({ a: '1' }), 'mesh-soak', false, now);
    const edited = structuredClone(first);
    (edited.data as JsonObject).a = '2';
    recordUpdate(first, edited, 'kubectl-edit', now);
    expect(() => serverSideApply(edited, cm({ a: '1' }), 'mesh-soak', false, now)).toThrow(ApiStatusError);
    const forced = serverSideApply(edited, cm({ a: '1' }), 'mesh-soak', true, now);
    expect(forced.data).toEqual({ a: '1' });
  });
});
