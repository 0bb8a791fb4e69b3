// Who may pause, resume and trigger: a bearer token from MESH_SOAK_ADMIN_TOKEN. No token
// configured means the admin endpoints are off (403) rather than open; a wrong or missing
// token is 401. Compared in constant time so response timing leaks nothing.

import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthVerdict = 'allowed' | 'disabled' | 'unauthorized';

export function checkAdminToken(configured: string | undefined, authorization: string | undefined): AuthVerdict {
  if (!configured) return 'disabled';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return 'unauthorized';
  // Hash both so lengths are equal and timingSafeEqual never throws or short-cuts.
  const a = createHash('sha256').update(match[1]).digest();
  const b = createHash('sha256').update(configured).digest();
  return timingSafeEqual(a, b) ? 'allowed' : 'unauthorized';
}
