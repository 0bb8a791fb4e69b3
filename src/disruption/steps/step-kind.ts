// The name of a step's kind (its single key in suite.yaml) and a one-line description of
// what it does, for logs, onStep callbacks, error messages and `disrupt --dry-run`.

import type { Step } from '../../config/model.js';
import { formatDuration } from '../../checks/duration.js';

export type StepKind =
  | 'rolloutRestart'
  | 'waitRollout'
  | 'scale'
  | 'setEnv'
  | 'deletePods'
  | 'sleep'
  | 'choose'
  | 'applyManifest'
  | 'deleteManifest'
  | 'labelNamespace';

export function stepKind(step: Step): StepKind {
  if ('rolloutRestart' in step) return 'rolloutRestart';
  if ('waitRollout' in step) return 'waitRollout';
  if ('scale' in step) return 'scale';
  if ('setEnv' in step) return 'setEnv';
  if ('deletePods' in step) return 'deletePods';
  if ('choose' in step) return 'choose';
  if ('applyManifest' in step) return 'applyManifest';
  if ('deleteManifest' in step) return 'deleteManifest';
  if ('labelNamespace' in step) return 'labelNamespace';
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
  if ('sleep' in step) return `sleep ${formatDuration(step.sleep.durationMs)}`;
  return describeNewStep(step, namespace);
}

/** The step kinds of the chaos and canary suites. */
export type NewStep = Extract<Step, { choose: unknown } | { applyManifest: unknown } | { deleteManifest: unknown } | { labelNamespace: unknown }>;

function describeNewStep(step: NewStep, namespace: string): string {
  if ('choose' in step) {
    const s = step.choose;
    const count = s.countMin === s.countMax ? `${s.countMin}` : `${s.countMin}..${s.countMax}`;
    return `choose ${count} of [${s.from.join(', ')}] as ${s.name} (seed ${s.seed ?? 'from the job id'}; journaled)`;
  }
  if ('applyManifest' in step) return `applyManifest ${step.applyManifest.file} (each object journaled as it was)`;
  if ('deleteManifest' in step) return `deleteManifest ${step.deleteManifest.file} (each object journaled as it was)`;
  const s = step.labelNamespace;
  const labels = Object.entries(s.labels).map(([k, v]) => (v === null ? `${k}-` : `${k}=${v}`));
  return `labelNamespace ${s.namespace ?? namespace} ${labels.join(' ')}${s.restartDeployments ? ', then restart its deployments' : ''} (restored afterwards)`;
}
