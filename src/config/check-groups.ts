// Which check groups a configuration runs: every enabled suite, plus the mesh-wide checks
// as the group "mesh" (when there are any). The daemon ticks these; `mesh-soak check`
// evaluates them by default.

import type { CheckGroup } from '../checks/evaluate-group.js';
import { MESH_SUITE, type Config } from './model.js';

export type { CheckGroup };

export function activeGroups(config: Config): Map<string, CheckGroup> {
  const groups = new Map<string, CheckGroup>();
  for (const s of config.suites) {
    if (!s.enabled) continue;
    const guard = s.guard ? { guard: s.guard, ...(s.guardSource ? { guardSource: s.guardSource } : {}) } : {};
    groups.set(s.name, { suite: s.name, ...guard, checks: s.checks });
  }
  if (config.checks.length > 0) groups.set(MESH_SUITE, { suite: MESH_SUITE, checks: config.checks });
  return groups;
}
