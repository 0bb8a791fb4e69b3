// Pure pieces of the step runner: `{{now}}` from the job's time, step descriptions, and the
// abortable sleep.

import { describe, expect, it } from 'vitest';
import { substituteNow, substituteNowAll } from '../../../src/disruption/steps/now-template.js';
import { describeStep, stepKind } from '../../../src/disruption/steps/step-kind.js';
import { abortableSleep, StepAborted } from '../../../src/disruption/steps/abortable-sleep.js';

describe('{{now}}', () => {
  it('is the scheduled time in epoch seconds, the same on every retry', () => {
    const at = 1_767_323_045_999;
    expect(substituteNow('restart-{{now}}', at)).toBe('restart-1767323045');
    expect(substituteNow('{{ now }}/{{now}}', at)).toBe('1767323045/1767323045');
    expect(substituteNowAll({ A: '{{now}}', B: 'plain' }, at)).toEqual({ A: '1767323045', B: 'plain' });
  });
});

describe('step descriptions', () => {
  it('name the kind, the target and the namespace, defaulting to the suite one', () => {
    expect(stepKind({ sleep: { durationMs: 60_000 } })).toBe('sleep');
    expect(describeStep({ scale: { deployment: 'istiod', replicas: 0 } }, 'ns')).toBe(
      'scale istiod in ns to 0 (restored afterwards)',
    );
    expect(describeStep({ setEnv: { namespace: 'istio-system', env: { X: '{{now}}' } } }, 'ns')).toBe(
      'setEnv X={{now}} on every deployment in istio-system',
    );
    expect(describeStep({ waitRollout: { deployment: 'gw', timeoutMs: 300_000 } }, 'ns')).toBe(
      'waitRollout gw in ns (timeout 5m)',
    );
    expect(describeStep({ sleep: { durationMs: 60_000 } }, 'ns')).toBe('sleep 1m');
  });
});

describe('abortable sleep', () => {
  it('ends early with the abort reason', async () => {
    const c = new AbortController();
    const p = abortableSleep(60_000, c.signal);
    c.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow(StepAborted);
    await expect(p).rejects.toThrow('shutting down');
  });
  it('refuses to start once aborted, and resolves when not aborted', async () => {
    await expect(abortableSleep(10, AbortSignal.abort('gone'))).rejects.toThrow('gone');
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });
});
