import { describe, expect, it } from 'vitest';
import { instanceKey } from '../../../src/checks/instance-key.js';

describe('instanceKey', () => {
  it('is {} for no labels', () => {
    expect(instanceKey({})).toBe('{}');
  });

  it('sorts labels by name, so the order Prometheus returns them in does not matter', () => {
    expect(instanceKey({ pod: 'a', ns: 'x', container: 'istio-proxy' })).toBe('{container="istio-proxy",ns="x",pod="a"}');
    expect(instanceKey({ b: '2', a: '1' })).toBe(instanceKey({ a: '1', b: '2' }));
  });

  it('escapes quotes, backslashes and newlines so distinct label sets never share a key', () => {
    expect(instanceKey({ a: 'x"y' })).toBe('{a="x\\"y"}');
    expect(instanceKey({ a: 'x\\y' })).toBe('{a="x\\\\y"}');
    expect(instanceKey({ a: 'x\ny' })).toBe('{a="x\\ny"}');
    expect(instanceKey({ a: '1",b="2' })).not.toBe(instanceKey({ a: '1', b: '2' }));
  });
});
