// Reading the daemon's /api/v1/status the way a user's script would, with lookups of one
// suite or check that fail loudly when the name is not there.

import type { CheckStatus, StatusBody, SuiteStatus } from '../../../src/daemon/status.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

export async function fetchStatus(statusUrl: string): Promise<StatusBody> {
  const res = await fetch(new URL('api/v1/status', statusUrl), { signal: AbortSignal.timeout(scaledMs(5000)) });
  if (res.status !== 200) throw new Error(`GET api/v1/status answered ${res.status}`);
  return (await res.json()) as StatusBody;
}

export function suiteOf(body: StatusBody, suite: string): SuiteStatus {
  const s = body.suites.find((x) => x.name === suite);
  if (!s) throw new Error(`status has no suite "${suite}" (has ${body.suites.map((x) => x.name).join(', ')})`);
  return s;
}

export function checkOf(body: StatusBody, suite: string, check: string): CheckStatus {
  const s = suiteOf(body, suite);
  const c = s.checks.find((x) => x.name === check);
  if (!c) throw new Error(`suite "${suite}" has no check "${check}" (has ${s.checks.map((x) => x.name).join(', ')})`);
  return c;
}

/** One line per check, for timeout messages: `suite/check=state(value)`. */
export function describeChecks(body: StatusBody): string {
  return body.suites
    .map((s) => `${s.name} [last disruption: ${s.lastDisruption ? `${s.lastDisruption.outcome}${s.lastDisruption.message ? ` ${s.lastDisruption.message}` : ''}` : 'none'}]: ${s.checks.map((c) => `${c.name}=${c.state}(${String(c.value)})`).join(' ')}`)
    .join('\n');
}
