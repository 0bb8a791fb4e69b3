// A resolved Suite for runner tests, without going through the config loader.

import type { Step, Suite } from '../../../src/config/model.js';

export function suiteWith(name: string, steps: Step[], namespace = `ns-${name}`): Suite {
  return {
    name,
    description: 'test suite',
    dir: '/nonexistent',
    namespace,
    params: {},
    manifests: [],
    disruption: { schedule: { every: 60_000 }, steps },
    checks: [],
    tickMs: 30_000,
    enabled: true,
  };
}
