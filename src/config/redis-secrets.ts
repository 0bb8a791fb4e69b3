// The config's Redis credentials come from the environment only: redis.passwordEnv and
// redis.sentinelPasswordEnv name variables that must be set, and a password inside
// redis.url must have been substituted from ${VAR}, not written into the file. Messages
// name the field and the variable, never a value.

import type { Env } from './env-substitution.js';
import type { ConfigInput } from './schema.js';
import type { YamlSource } from './yaml-source.js';

/** Reports (located) every Redis credential that is missing or written into the file. */
export function checkRedisSecrets(source: YamlSource, redis: ConfigInput['redis'], env: Env, secrets: string[]): void {
  for (const field of ['passwordEnv', 'sentinelPasswordEnv'] as const) {
    const name = redis[field];
    if (name !== undefined && env[name] === undefined) source.report(['redis', field], `environment variable ${name} is not set`);
  }
  const password = urlPassword(redis.url);
  if (password === '') return;
  if (redis.passwordEnv !== undefined) {
    source.report(['redis', 'url'], 'the URL carries a password and passwordEnv names one too: give it once');
  } else if (!secrets.some((s) => s.includes(password) || s.includes(safeDecode(password)))) {
    source.report(['redis', 'url'], 'a password is written into the file: put it in an environment variable (redis.passwordEnv, or ${VAR} in the URL)');
  }
}

function urlPassword(url: string): string {
  try {
    return new URL(url).password;
  } catch {
    return '';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
