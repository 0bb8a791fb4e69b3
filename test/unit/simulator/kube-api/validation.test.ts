import { describe, expect, it } from 'vitest';
import { admit } from '../../../../simulator/kube-api/admission.js';
import { parseFieldSelector } from '../../../../simulator/kube-api/field-selector.js';
import { parseLabelSelector } from '../../../../simulator/kube-api/label-selector.js';
import { DEFAULT_RESOURCES, type ResourceType } from '../../../../simulator/kube-api/resources.js';
import type { JsonObject } from '../../../../simulator/kube-api/json.js';

const type = (resource: string): ResourceType => {
  const t = DEFAULT_RESOURCES.find((x) => x.resource === resource);
  if (!t) throw new Error(resource);
  return t;
};
const q = (s = ''): URLSearchParams => new URLSearchParams(s);
const ip = (): string => '10.96.0.1';

function deployment(over: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }, ...over },
  };
}

function refusal(f: () => unknown): { code: number; message: string; causes?: unknown[] } {
  try {
    f();
  } catch (e) {
    const err = e as { code: number; message: string; details?: { causes?: unknown[] } };
    return { code: err.code, message: err.message, ...(err.details?.causes ? { causes: err.details.causes } : {}) };
  }
  throw new Error('expected a refusal');
}

describe('admission', () => {
  it('defaults a Deployment as the API server does', () => {
    const { obj } = admit(type('deployments'), deployment(), undefined, q(), ip);
    expect(obj.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
  });

  it('unknown fields: warned by default, dropped, refused with 400 under Strict', () => {
    const d = deployment({ replica: 2 });
    const warned = admit(type('deployments'), d, undefined, q(), ip);
    expect(warned.warnings).toEqual(['unknown field "spec.replica"']);
    expect((warned.obj.spec as JsonObject).replica).toBeUndefined();
    const strict = refusal(() => admit(type('deployments'), d, undefined, q('fieldValidation=Strict'), ip));
    expect(strict).toMatchObject({ code: 400, message: 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"' });
  });

  it('422 with causes: selector, template labels, replicas, containers; selector immutable on update', () => {
    const bad = refusal(() => admit(type('deployments'), deployment({ replicas: -2, selector: { matchLabels: { app: 'x' } } }), undefined, q(), ip));
    expect(bad.code).toBe(422);
    expect(bad.causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'spec.replicas', reason: 'FieldValueInvalid' }),
        expect.objectContaining({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid' }),
      ]),
    );
    const old = admit(type('deployments'), deployment(), undefined, q(), ip).obj;
    const moved = deployment({ selector: { matchLabels: { app: 'web', v: '2' } } });
    ((moved.spec as JsonObject).template as { metadata: { labels: JsonObject } }).metadata.labels = { app: 'web', v: '2' };
    expect(refusal(() => admit(type('deployments'), moved, old, q(), ip)).message).toMatch(/spec.selector: Invalid value: .*field is immutable/);
  });

  it('names: DNS-1123 subdomain, label for namespaces', () => {
    expect(refusal(() => admit(type('configmaps'), { metadata: { name: 'Upper' } }, undefined, q(), ip)).message).toContain('a lowercase RFC 1123 subdomain');
    expect(refusal(() => admit(type('namespaces'), { metadata: { name: 'a.b' } }, undefined, q(), ip)).message).toContain('a lowercase RFC 1123 label');
  });
});

describe('selectors', () => {
  it('label selector values and keys are checked (400)', () => {
    expect(() => parseLabelSelector('app=-x')).toThrow(/values\[0\]\[app\]: Invalid value: "-x"/);
    expect(() => parseLabelSelector('-bad=1')).toThrow(/key: Invalid value/);
    expect(parseLabelSelector('app=web')({ app: 'web' })).toBe(true);
  });

  it('field selectors: supported fields match, others are refused', () => {
    const pod = { metadata: { name: 'p', namespace: 'default' }, status: { phase: 'Running' } };
    expect(parseFieldSelector(type('pods'), 'status.phase=Running,metadata.name!=q')(pod)).toBe(true);
    expect(parseFieldSelector(type('pods'), 'status.phase==Pending')(pod)).toBe(false);
    expect(() => parseFieldSelector(type('configmaps'), 'status.phase=Running')).toThrow(/field label not supported: status.phase/);
  });
});
