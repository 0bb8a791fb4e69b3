// How every Redis connection of mesh-soak is made from the config's `redis` section (the
// state connection, the journal's, BullMQ's): the URL's host, port and database; the ACL
// username and the password, the password only from the environment (redis.passwordEnv, or
// ${VAR} in the URL at load time); TLS when the URL is rediss:// or redis.tls is given (CA
// file, optional client certificate and key, read once here); Sentinel when redis.sentinels
// and redis.sentinelName are given (the URL then supplies only the credentials and
// database); Redis Cluster when redis.cluster.nodes is given. One options object serves
// ioredis and BullMQ alike, so the two never disagree about where Redis is.
//
// Redis Cluster: every key mesh-soak and BullMQ write starts with the key prefix, and in
// cluster mode the prefix is hash-tagged ({mesh-soak}), so all keys share one slot and the
// stores' MULTI and Lua scripts work unchanged on the one node that owns it.

import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../config/model.js';
import { UserError, messageOf } from '../../shared/errors.js';
import { DEFAULT_PREFIX } from './keys.js';

export type Env = Record<string, string | undefined>;

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UserError(`redis.tls.${field}: cannot read ${path}: ${messageOf(err)}`);
  }
}

/** The value of the variable a `*Env` field names; its absence is the user's error (naming the variable, never a value). */
function fromEnv(env: Env, field: string, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  if (value === undefined) throw new UserError(`redis.${field}: environment variable ${name} is not set`);
  return value;
}

function credentials(r: RedisConfig, url: URL, env: Env): RedisOptions {
  const username = r.username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = fromEnv(env, 'passwordEnv', r.passwordEnv) ?? (url.password ? decodeURIComponent(url.password) : undefined);
  return { ...(username ? { username } : {}), ...(password !== undefined && password !== '' ? { password } : {}) };
}

function tlsOptions(r: RedisConfig, url: URL): RedisOptions['tls'] | undefined {
  if (url.protocol !== 'rediss:' && !r.tls) return undefined;
  return {
    ...(r.tls ? { ca: readPem(r.tls.caFile, 'caFile') } : {}),
    ...(r.tls?.certFile ? { cert: readPem(r.tls.certFile, 'certFile') } : {}),
    ...(r.tls?.keyFile ? { key: readPem(r.tls.keyFile, 'keyFile') } : {}),
  };
}

function parseUrl(r: RedisConfig): URL {
  try {
    return new URL(r.url);
  } catch {
    // Never echoed: it may carry the password.
    throw new UserError('redis.url: not a valid URL');
  }
}

/**
 * ioredis options for the config (add per-connection ones such as maxRetriesPerRequest).
 * In cluster mode these are the options of each node's connection (ClusterOptions.redisOptions).
 */
export function redisConnectionOptions(r: RedisConfig, env: Env = process.env): RedisOptions {
  const url = parseUrl(r);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  const options: RedisOptions = { ...credentials(r, url, env), ...(Number.isInteger(db) && db > 0 && !r.cluster ? { db } : {}) };
  if (r.sentinels && r.sentinelName) {
    const sentinelPassword = fromEnv(env, 'sentinelPasswordEnv', r.sentinelPasswordEnv);
    Object.assign(options, {
      sentinels: r.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: r.sentinelName,
      ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    });
  } else if (!r.cluster) {
    Object.assign(options, { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(url.port || 6379) });
  }
  const tls = tlsOptions(r, url);
  if (tls) {
    options.tls = tls;
    // Through Sentinel the masters are reached with the same TLS settings.
    if (options.sentinels) options.enableTLSForSentinelMode = true;
  }
  return options;
}

/** The key prefix for the config: hash-tagged in cluster mode so every key shares one slot. */
export function keyPrefix(r: RedisConfig, prefix: string = DEFAULT_PREFIX): string {
  if (!r.cluster || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

function clusterOf(r: RedisConfig & { cluster: NonNullable<RedisConfig['cluster']> }, extra: RedisOptions, env: Env): Cluster {
  const { lazyConnect, retryStrategy, ...perNode } = extra;
  const options: ClusterOptions = {
    redisOptions: { ...redisConnectionOptions(r, env), ...perNode },
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
  };
  return new Cluster(r.cluster.nodes.map((n) => ({ host: n.host, port: n.port })), options);
}

/**
 * A client for the config: a Redis (standalone or through Sentinel) or, in cluster mode, a
 * Cluster. The Cluster is typed as Redis: it answers every command the stores use, and with
 * the hash-tagged prefix their multi-key commands all land on one node.
 */
export function createRedisClient(r: RedisConfig, extra: RedisOptions = {}, env: Env = process.env): Redis {
  if (r.cluster) return clusterOf({ ...r, cluster: r.cluster }, extra, env) as unknown as Redis;
  return new Redis({ ...redisConnectionOptions(r, env), ...extra });
}

/**
 * What BullMQ is given: options (it makes its own connections) or, in cluster mode, a
 * factory of Cluster clients (BullMQ cannot build one from options); the caller closes those.
 */
export type QueueConnection = RedisOptions | (() => Redis);

export function queueConnection(r: RedisConfig, env: Env = process.env): QueueConnection {
  if (!r.cluster) return redisConnectionOptions(r, env);
  return () => createRedisClient(r, { maxRetriesPerRequest: null }, env);
}
