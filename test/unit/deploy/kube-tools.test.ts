// The tools the install tests render with are the pinned real ones from scripts/kube-tools.sh,
// never /usr/bin/kubectl (another build on these machines).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { helmPath, kubectlPath } from '../../harness/kube-tools.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

describe('test/harness/kube-tools.ts', () => {
  it('gives kubectl v1.35.2 with kustomize v5.7.1, from .tools/bin', () => {
    expect(kubectlPath()).toMatch(/\/bin\/kubectl$/);
    expect(kubectlPath()).not.toBe('/usr/bin/kubectl');
    const out = execFileSync(kubectlPath(), ['version', '--client'], { encoding: 'utf8', timeout: scaledMs(30_000), env: { ...process.env, KUBECONFIG: '/nonexistent' } });
    expect(out).toContain('Client Version: v1.35.2');
    expect(out).toContain('Kustomize Version: v5.7.1');
  });

  it('gives helm v4.1.4', () => {
    const out = execFileSync(helmPath(), ['version', '--template', '{{.Version}}'], { encoding: 'utf8', timeout: scaledMs(30_000) });
    expect(out).toBe('v4.1.4');
  });
});
