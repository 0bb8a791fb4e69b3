// The process logger: pino, JSON lines by default, pino-pretty only on a TTY (and only if the
// devDependency is installed). Owns redaction: secrets (tokens, passwords, Authorization
// headers, webhook URLs, credentials inside URLs) must never reach a log line, whoever logs them.
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Human-readable output via pino-pretty; defaults to whether stdout is a TTY. */
  pretty?: boolean;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

const CENSOR = '[Redacted]';

// Keys whose value is a secret wherever they appear (top level or one object down).
const SECRET_KEYS = ['token', 'password', 'authorization', 'Authorization', 'webhookUrl', 'secret', 'headers'];

// Whole-value redaction: the URL of a webhook is the credential (Slack puts the secret in the path).
const WEBHOOK_URL_PATHS = ['webhook.url', '*.webhook.url', 'webhooks.*.url', 'notify.webhooks.*.url'];

// Other URLs stay useful in logs once userinfo and secret-looking parts are removed.
const URL_PATHS = ['url', '*.url'];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`]),
  ...WEBHOOK_URL_PATHS,
  ...URL_PATHS,
];

// Hosts whose webhook URLs carry the secret in the path.
const SECRET_PATH_HOSTS = [
  /(^|\.)hooks\.slack\.com$/i,
  /(^|\.)discord(app)?\.com$/i,
  /(^|\.)webhook\.office\.com$/i,
  /(^|\.)outlook\.office\.com$/i,
  /(^|\.)hooks\.zapier\.com$/i,
  /hook/i,
];
const SECRET_PATH_SEGMENTS = /\/(hooks?|webhooks?)\//i;
const SECRET_QUERY_KEYS = /token|key|secret|sig|pass|auth|code|credential|session/i;

/**
 * A URL safe to log: no userinfo, webhook-style paths replaced, secret-looking query values
 * replaced. Something that does not parse as a URL is redacted whole.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return CENSOR;
  }
  const secretPath = SECRET_PATH_HOSTS.some((re) => re.test(u.hostname)) || SECRET_PATH_SEGMENTS.test(u.pathname);
  const path = secretPath ? `/${CENSOR}` : u.pathname;
  const params: string[] = [];
  for (const [k, v] of u.searchParams) {
    params.push(`${encodeURIComponent(k)}=${SECRET_QUERY_KEYS.test(k) ? CENSOR : encodeURIComponent(v)}`);
  }
  const search = params.length > 0 ? `?${params.join('&')}` : '';
  return `${u.protocol}//${u.host}${path}${search}`;
}

// Wildcard paths also visit pino's symbol-keyed internals, so path parts are not all strings.
function censor(value: unknown, path: ReadonlyArray<string | symbol>): unknown {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  const isWebhookUrl = last === 'url' && typeof parent === 'string' && /^webhooks?$|^\d+$/.test(parent);
  if (last === 'url' && !isWebhookUrl && typeof value === 'string') return redactUrl(value);
  return CENSOR;
}

/** pino-pretty, if installed; it is a devDependency, absent from production images. */
function loadPretty(): ((opts: Record<string, unknown>) => DestinationStream) | undefined {
  try {
    const require = createRequire(import.meta.url);
    const mod: unknown = require('pino-pretty');
    if (typeof mod === 'function') return mod as (opts: Record<string, unknown>) => DestinationStream;
    if (mod && typeof mod === 'object' && 'default' in mod && typeof mod.default === 'function') {
      return mod.default as (opts: Record<string, unknown>) => DestinationStream;
    }
  } catch {
    // Not installed: JSON it is.
  }
  return undefined;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor },
    // In-cluster the hostname is the pod name: worth keeping on every line.
    base: { name: 'mesh-soak', pid: process.pid, hostname: hostname() },
  };
  const pretty = settings.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    const build = loadPretty();
    if (build) {
      return pino(options, build({ destination: settings.destination ?? 1, sync: true, translateTime: 'SYS:standard' }));
    }
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
