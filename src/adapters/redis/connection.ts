// How every Redis connection of mesh-soak is made from the config's `redis` section (the
// state connection, the journal's, BullMQ's): the URL's host, port, user, password and
// database; TLS when the URL is rediss:// or redis.tls is given (CA file, optional client
// certificate and key, read once here); Sentinel when redis.sentinels and redis.sentinelName
// are given (the URL then supplies only the credentials and database). One options object
// serves ioredis and BullMQ alike, so the two never disagree about where Redis is.

import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../config/model.js';
import { UserError, messageOf } from '../../shared/errors.js';

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UserError(`redis.tls.${field}: cannot read ${path}: ${messageOf(err)}`);
  }
}

/** ioredis options for the config (add per-connection ones such as maxRetriesPerRequest). */
export function redisConnectionOptions(r: RedisConfig): RedisOptions {
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    // Never echoed: it may carry the password.
    throw new UserError('redis.url: not a valid URL');
  }
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  const options: RedisOptions = {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
  };
  if (r.sentinels && r.sentinelName) {
    Object.assign(options, { sentinels: r.sentinels.map((s) => ({ host: s.host, port: s.port })), name: r.sentinelName });
  } else {
    Object.assign(options, { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(url.port || 6379) });
  }
  if (url.protocol === 'rediss:' || r.tls) {
    options.tls = {
      ...(r.tls ? { ca: readPem(r.tls.caFile, 'caFile') } : {}),
      ...(r.tls?.certFile ? { cert: readPem(r.tls.certFile, 'certFile') } : {}),
      ...(r.tls?.keyFile ? { key: readPem(r.tls.keyFile, 'keyFile') } : {}),
    };
    // Through Sentinel the masters are reached with the same TLS settings.
    if (options.sentinels) options.enableTLSForSentinelMode = true;
  }
  return options;
}
