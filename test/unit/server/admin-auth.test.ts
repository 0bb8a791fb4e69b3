import { describe, expect, it } from 'vitest';
import { checkAdminToken } from '../../../src/server/admin-auth.js';

describe('checkAdminToken', () => {
  it('is disabled without a configured token, whatever is sent', () => {
    expect(checkAdminToken(undefined, 'Bearer x')).toBe('disabled');
    expect(checkAdminToken('', undefined)).toBe('disabled');
  });
  it('allows only the exact bearer token', () => {
    expect(checkAdminToken('abc', 'Bearer abc')).toBe('allowed');
    expect(checkAdminToken('abc', 'bearer abc')).toBe('allowed');
    expect(checkAdminToken('abc', 'Bearer abcd')).toBe('unauthorized');
    expect(checkAdminToken('abc', 'Basic abc')).toBe('unauthorized');
    expect(checkAdminToken('abc', undefined)).toBe('unauthorized');
  });
});
