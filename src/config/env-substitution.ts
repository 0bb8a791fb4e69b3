// `${VAR}` and `${VAR:-default}` in the config's string scalars, from the environment;
// `$${` writes a literal `${`. Done per scalar after parsing so problem positions stay
// those of the source. Values are secrets (webhook URLs, tokens): messages only ever name
// the variable, and the substituted values are handed back so callers can redact them.

import { dottedPath, type YamlSource } from './yaml-source.js';

export type Env = Record<string, string | undefined>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Substitution {
  value: string;
  /** Values taken from the environment (for redaction). */
  secrets: string[];
  errors: string[];
}

/** Substitutes one string; never puts a variable's value into an error message. */
export function substituteEnv(text: string, env: Env): Substitution {
  let out = '';
  const secrets: string[] = [];
  const errors: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) {
      errors.push('unterminated "${" (write "$${" for a literal "${")');
      break;
    }
    const inner = text.slice(i + 2, end);
    const sep = inner.indexOf(':-');
    const name = sep >= 0 ? inner.slice(0, sep) : inner;
    const fallback = sep >= 0 ? inner.slice(sep + 2) : undefined;
    i = end + 1;
    if (!NAME.test(name)) {
      errors.push(`"\${${name}}" is not a valid environment variable reference`);
      continue;
    }
    const value = env[name];
    if (fallback !== undefined && (value === undefined || value === '')) {
      out += fallback;
    } else if (value === undefined) {
      errors.push(`environment variable ${name} is not set`);
    } else {
      out += value;
      secrets.push(value);
    }
  }
  return { value: out, secrets, errors };
}

const PLAIN_NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Rewrites every string scalar of `source` in place; missing variables become problems
 * at the scalar. An unquoted scalar that turns into a number or boolean (`port: ${PORT}`)
 * becomes that number or boolean, as if written literally.
 */
export function applyEnv(source: YamlSource, env: Env): { secrets: string[]; failed: Set<string> } {
  const secrets: string[] = [];
  const failed = new Set<string>();
  source.forEachString((path, text, setValue, plain) => {
    if (!text.includes('${')) return;
    const sub = substituteEnv(text, env);
    secrets.push(...sub.secrets);
    for (const e of sub.errors) source.report(path, e);
    if (sub.errors.length > 0) {
      failed.add(dottedPath(path));
      return;
    }
    const bare = source.writtenPlain(text, plain);
    if (bare && PLAIN_NUMBER.test(sub.value)) setValue(Number(sub.value));
    else if (bare && (sub.value === 'true' || sub.value === 'false')) setValue(sub.value === 'true');
    else setValue(sub.value);
  });
  return { secrets, failed };
}

/** Replaces any substituted value that found its way into a message. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  // Very short values would blank out ordinary words; they are not secrets worth hiding.
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('<redacted>');
  return out;
}
