// A config file for suite tests on the Kubernetes stand-in: a Prometheus nobody answers on
// (port 9) unless the test names its own, the test's Redis and kubeconfig, and the suite
// entries given as YAML lines.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeSuitesConfig(dir: string, o: { redisUrl: string; kubeconfig: string; suites: string[]; prometheusUrl?: string }): Promise<string> {
  const file = join(dir, 'config.yaml');
  const lines = [`prometheus: { url: "${o.prometheusUrl ?? 'http://127.0.0.1:9'}" }`, `redis: { url: "${o.redisUrl}" }`, `kubernetes: { kubeconfig: "${o.kubeconfig}" }`, 'suites:', ...o.suites, ''];
  await writeFile(file, lines.join('\n'));
  return file;
}
