// The config's redis section as users run Redis: ACL username, the password from an
// environment variable only, TLS, Sentinel and Cluster. Config text in, the resolved
// RedisConfig or located problems out; the connection options ioredis gets; secrets never
// in a message.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { UserError } from '../../../src/shared/errors.js';
import { createRedisClient, keyPrefix, queueConnection, redisConnectionOptions } from '../../../src/adapters/redis/connection.js';
import { writeTemp } from './temp-config.js';

const HEAD = 'prometheus: { url: "http://127.0.0.1:9090" }\nredis:\n';

async function load(text: string, env: Record<string, string> = {}) {
  return loadConfig(await writeTemp(HEAD + text), { env });
}

async function problemsOf(text: string, env: Record<string, string> = {}): Promise<Array<[number, string, string]>> {
  const err = await load(text, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) return [];
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).problems.map((p) => [p.line, p.path, p.message]);
}

describe('redis config', () => {
  it('ACL user and password variable: kept by name, the value read only when connecting', async () => {
    const c = await load('  url: redis://10.0.0.1:6380/3\n  username: soak\n  passwordEnv: SOAK_REDIS_PW\n', { SOAK_REDIS_PW: 's3cret' });
    expect(c.redis).toEqual({ url: 'redis://10.0.0.1:6380/3', username: 'soak', passwordEnv: 'SOAK_REDIS_PW' });
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(redisConnectionOptions(c.redis, { SOAK_REDIS_PW: 's3cret' })).toEqual({ host: '10.0.0.1', port: 6380, db: 3, username: 'soak', password: 's3cret' });
    expect(() => redisConnectionOptions(c.redis, {})).toThrow('redis.passwordEnv: environment variable SOAK_REDIS_PW is not set');
  });

  it('a password variable that is not set is a located problem naming it', async () => {
    expect(await problemsOf('  passwordEnv: NOPE_PW\n')).toEqual([[3, 'redis.passwordEnv', 'environment variable NOPE_PW is not set']]);
  });

  it('a password written into the URL is refused; ${VAR} in the URL is accepted and never echoed', async () => {
    expect(await problemsOf('  url: redis://:hunter2@127.0.0.1:6379\n')).toEqual([
      [3, 'redis.url', 'a password is written into the file: put it in an environment variable (redis.passwordEnv, or ${VAR} in the URL)'],
    ]);
    // In a URL the value must be URL-encoded (passwordEnv takes any characters as they are).
    const c = await load('  url: "redis://soak:${PW}@127.0.0.1:6379"\n', { PW: 'p%40ss' });
    expect(redisConnectionOptions(c.redis)).toMatchObject({ username: 'soak', password: 'p@ss' });
    const both = await problemsOf('  url: "redis://:${PW}@127.0.0.1:6379"\n  passwordEnv: PW\n', { PW: 'topsecret' });
    expect(both).toEqual([[3, 'redis.url', 'the URL carries a password and passwordEnv names one too: give it once']]);
    expect(JSON.stringify(both)).not.toContain('topsecret');
  });

  it('cluster: seed nodes resolved, the key prefix hash-tagged, BullMQ given a client factory', async () => {
    const c = await load('  cluster: { nodes: [{ host: 127.0.0.1, port: 7001 }, { host: 127.0.0.1, port: 7002 }] }\n');
    expect(c.redis.cluster).toEqual({ nodes: [{ host: '127.0.0.1', port: 7001 }, { host: '127.0.0.1', port: 7002 }] });
    expect(keyPrefix(c.redis)).toBe('{mesh-soak}');
    expect(keyPrefix(c.redis, 'team-a')).toBe('{team-a}');
    expect(keyPrefix(c.redis, '{given}:x')).toBe('{given}:x');
    expect(keyPrefix({ url: c.redis.url })).toBe('mesh-soak');
    expect(typeof queueConnection(c.redis)).toBe('function');
    const client = createRedisClient(c.redis, { lazyConnect: true });
    expect((client as unknown as { isCluster: boolean }).isCluster).toBe(true);
    client.disconnect();
  });

  it('cluster with sentinels, or with a database, is refused where written', async () => {
    const problems = await problemsOf(
      '  url: redis://127.0.0.1:6379/2\n  cluster: { nodes: [{ host: a, port: 1 }] }\n  sentinels: [{ host: b, port: 2 }]\n  sentinelName: m\n',
    );
    expect(problems).toEqual([
      [3, 'redis.url', 'Redis Cluster has only database 0: drop the /N from the URL'],
      [4, 'redis.cluster', 'give either cluster or sentinels, not both'],
    ]);
  });

  it('sentinel password from its own variable; a bad variable name is refused', async () => {
    const c = await load('  sentinels: [{ host: s1, port: 26379 }]\n  sentinelName: m\n  sentinelPasswordEnv: SENT_PW\n', { SENT_PW: 'x' });
    expect(redisConnectionOptions(c.redis, { SENT_PW: 'x' })).toMatchObject({ name: 'm', sentinelPassword: 'x', sentinels: [{ host: 's1', port: 26379 }] });
    expect(await problemsOf('  passwordEnv: "not a name"\n')).toEqual([[3, 'redis.passwordEnv', 'expected the name of an environment variable, such as REDIS_PASSWORD']]);
  });
});
