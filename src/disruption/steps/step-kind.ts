// The name of a step's kind (its single key in suite.yaml) and a one-line description of
// what it does, for logs, onStep callbacks, error messages and `disrupt --dry-run`.

import type { Step } from '../../config/model.js';
import { formatDuration } from '../../checks/duration.js';

export type StepKind = 'rolloutRestart' | 'waitRollout' | 'scale' | 'setEnv' | 'deletePods' | 'sleep';

export function stepKind(step: Step): StepKind {
  if ('rolloutRestart' in step) return 'rolloutRestart';
  if ('waitRollout' in step) return 'waitRollout';
  if ('scale' in step) return 'scale';
  if ('setEnv' in step) return 'setEnv';
  if ('deletePods' in step) return 'deletePods';
  return 'sleep';
}

/** e.g. `scale istio-pilot in ns-a to 0`; `namespace` is the suite's, used when the step names none. */
export function describeStep(step: Step, namespace: string): string {
  if ('rolloutRestart' in step) {
    const s = step.rolloutRestart;
    return `rolloutRestart ${s.deployment} in ${s.namespace ?? namespace}`;
  }
  if ('waitRollout' in step) {
    const s = step.waitRollout;
    return `waitRollout ${s.deployment} in ${s.namespace ?? namespace} (timeout ${formatDuration(s.timeoutMs)})`;
  }
  if ('scale' in step) {
    const s = step.scale;
    return `scale ${s.deployment} in ${s.namespace ?? namespace} to ${s.replicas} (restored afterwards)`;
  }
  if ('setEnv' in step) {
    const s = step.setEnv;
    const vars = Object.entries(s.env).map(([k, v]) => `${k}=${v}`);
    const which = s.selector ? `every deployment matching ${s.selector}` : 'every deployment';
    return `setEnv ${vars.join(' ')} on ${which} in ${s.namespace ?? namespace}`;
  }
  if ('deletePods' in step) {
    const s = step.deletePods;
    return `deletePods ${s.selector} in ${s.namespace ?? namespace} keeping ${s.keep}`;
  }
  return `sleep ${formatDuration(step.sleep.durationMs)}`;
}
