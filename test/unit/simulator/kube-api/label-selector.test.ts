import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../../../simulator/kube-api/label-selector.js';

describe('label selectors', () => {
  const pod = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web,tier=front', true],
    ['app=db', false],
    ['app!=db', true],
    ['env in (prod, staging)', true],
    ['env notin (prod)', false],
    ['tier', true],
    ['!legacy', true],
    ['!tier', false],
    ['app=web,env in (dev)', false],
  ])('%s matches: %s', (sel, want) => {
    expect(parseLabelSelector(sel)(pod)).toBe(want);
  });

  it('refuses nonsense with a 400', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(/unable to parse/);
  });
});
