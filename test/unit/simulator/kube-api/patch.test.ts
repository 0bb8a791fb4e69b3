import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../../../simulator/kube-api/patch.js';
import { ApiStatusError } from '../../../../simulator/kube-api/status.js';
import type { JsonObject } from '../../../../simulator/kube-api/json.js';

describe('merge patch (RFC 7386)', () => {
  it('merges objects, replaces lists, deletes on null', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: 'x' };
    expect(mergePatch(target, { a: { b: 9, c: null }, list: [3] })).toEqual({ a: { b: 9 }, list: [3], keep: 'x' });
  });
});

describe('strategic merge patch', () => {
  const deploy: JsonObject = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 's:1' },
          ],
        },
      },
    },
  };

  it('merges containers and env by name, keeping the others', () => {
    const out = strategicMergePatch(deploy, {
      spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } } },
    });
    expect(out).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'app', image: 'a:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }] },
              { name: 'sidecar', image: 's:1' },
            ],
          },
        },
      },
    });
  });

  it('honours $patch: delete on a list item and ignores $setElementOrder', () => {
    const out = strategicMergePatch(deploy, {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
    }) as { spec: { template: { spec: { containers: { name: string }[] } } } };
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('replaces lists without a merge key', () => {
    expect(strategicMergePatch({ spec: { args: ['a', 'b'] } }, { spec: { args: ['c'] } })).toEqual({ spec: { args: ['c'] } });
  });
});

describe('json patch (RFC 6902)', () => {
  it('adds, replaces and removes, with ~1 escapes and - append', () => {
    const doc = { metadata: { annotations: { 'a/b': 'x' } }, items: [1] };
    const out = jsonPatch(doc, [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' },
      { op: 'add', path: '/items/-', value: 2 },
      { op: 'add', path: '/new', value: true },
      { op: 'remove', path: '/items/0' },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'a/b': 'y' } }, items: [2], new: true });
    expect(doc.items).toEqual([1]); // the input is not modified
  });

  it('refuses to remove or replace what does not exist (422)', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }])).toThrow(ApiStatusError);
    try {
      jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]);
    } catch (e) {
      expect((e as ApiStatusError).code).toBe(422);
    }
  });

  it('a failing test op stops the patch', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test at "\/a" failed/);
  });
});
