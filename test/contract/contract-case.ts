// How a contract suite registers one case for one implementation, so that what an
// implementation does not do is said out loud in the run, never silently left out:
// - a case needing a capability the implementation declared false is registered as
//   skipped, its title naming the flag ("[not applicable: talksToPrometheus = false]");
// - a case the implementation is known to fail (a bug, a fake's divergence, a codec still
//   pending) is registered with it.fails and the reason in its title, so it turns red the
//   day the implementation is fixed and the marker must go. To see why each one fails, run
//   with CONTRACT_KNOWN_FAILURES=show: they are then registered as plain tests.

import { it } from 'vitest';

export interface CaseOptions<Capability extends string> {
  /** Capabilities the case needs; the implementation's flags decide whether it applies. */
  needs?: readonly Capability[];
}

export type CaseRegistrar<Id extends string, Capability extends string> = (
  id: Id,
  title: string,
  options: CaseOptions<Capability>,
  fn: () => Promise<void>,
) => void;

/**
 * `capabilities`: what the implementation can honestly do; `knownFailures`: case id → why
 * it fails today (each becomes an it.fails).
 */
export function caseRegistrar<Id extends string, Capability extends string>(
  capabilities: Record<Capability, boolean>,
  knownFailures: Partial<Record<Id, string>> = {},
): CaseRegistrar<Id, Capability> {
  return (id, title, options, fn) => {
    const missing = (options.needs ?? []).filter((c) => !capabilities[c]);
    if (missing.length > 0) {
      it.skip(`${title} [not applicable: ${missing.map((c) => `${c} = false`).join(', ')}]`, fn);
      return;
    }
    const known = knownFailures[id];
    if (known !== undefined && process.env.CONTRACT_KNOWN_FAILURES !== 'show') it.fails(`${title} [known failure: ${known}]`, fn);
    else it(title, fn);
  };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
