// Child process for the crash-and-restore test: runs one disruption of a fixture suite with
// the real runner, client and Redis, as `mesh-soak disrupt` would, so the test can SIGKILL
// it at any point. Compiled by the harness (builtScript); reads everything from the environment:
// CONFIG, SUITE, JOB_ID, SCHEDULED_AT, REDIS_URL, KUBECONFIG_PATH, LOCK_TTL_MS.

import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config/load-config.js';
import { buildDisruptionRunner } from '../../../src/app/index.js';

async function main(): Promise<void> {
  const env = process.env;
  const config = await loadConfig(env.CONFIG ?? '', { env });
  const suite = config.suites.find((s) => s.name === env.SUITE);
  if (!suite) throw new Error(`no suite ${env.SUITE}`);
  const redis = new Redis(config.redis.url);
  // A short lock TTL so the test's restorePending can take over soon after the kill
  // (LOCK_TTL_MS: the harness stretches it on a loaded machine, where renewals come late).
  const { runner } = await buildDisruptionRunner(config, {
    redis,
    lockTtlMs: Number(env.LOCK_TTL_MS ?? 600),
    pollMs: 20,
    kubeRetry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 2000, totalMs: 5000 },
  });
  const result = await runner.run(suite, { id: env.JOB_ID ?? 'job', scheduledAt: Number(env.SCHEDULED_AT) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  redis.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
