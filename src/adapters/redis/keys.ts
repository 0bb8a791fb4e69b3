// Every Redis key mesh-soak's daemon writes, in one place, so replicas agree on names and a
// test can give each daemon family its own prefix on a shared Redis.

export interface StateKeys {
  checks(suite: string): string;
  history(suite: string): string;
  ticks(suite: string): string;
  paused(): string;
  disruptionClaim(jobId: string): string;
}

export function stateKeys(prefix: string): StateKeys {
  return {
    checks: (suite) => `${prefix}:checks:${suite}`,
    history: (suite) => `${prefix}:history:${suite}`,
    ticks: (suite) => `${prefix}:ticks:${suite}`,
    paused: () => `${prefix}:paused`,
    disruptionClaim: (jobId) => `${prefix}:disruption-claim:${jobId}`,
  };
}
