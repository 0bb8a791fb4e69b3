// What a Redis error means, as a short bounded label for metrics and a sentence for /readyz:
// out of memory (maxmemory + noeviction refuses writes), authentication refused (a wrong or
// missing password: NOAUTH/WRONGPASS), unreachable (refused, reset, closed, retries spent),
// or anything else. The error's cause chain (and a refused MULTI's previousErrors) is searched, so a Fault wrapping a ReplyError
// is read by what Redis actually said.

export type RedisProblem = 'redis-oom' | 'redis-auth' | 'redis-unreachable' | 'redis-readonly';

const PATTERNS: Array<[RedisProblem, RegExp]> = [
  ['redis-oom', /\bOOM\b|used memory > 'maxmemory'/],
  ['redis-auth', /NOAUTH|WRONGPASS|invalid password|invalid username-password|AUTH failed|ERR AUTH/i],
  ['redis-readonly', /READONLY/],
  ['redis-unreachable', /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|Connection is closed|max retries|Stream isn't writeable|enableOfflineQueue|connect ETIMEDOUT/i],
];

function messagesOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    // A refused MULTI fails as EXECABORT; what Redis said is in previousErrors.
    const previous = (e as { previousErrors?: unknown }).previousErrors;
    if (Array.isArray(previous)) for (const p of previous.slice(0, 3)) parts.push(p instanceof Error ? p.message : String(p));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(' | ');
}

/** The Redis problem an error shows, or undefined when it is not (recognisably) Redis'. */
export function redisProblemOf(err: unknown): RedisProblem | undefined {
  const text = messagesOf(err);
  for (const [problem, re] of PATTERNS) if (re.test(text)) return problem;
  return undefined;
}

/** The sentence /readyz and the logs use for a problem. */
export function describeRedisProblem(problem: RedisProblem): string {
  switch (problem) {
    case 'redis-oom':
      return 'redis out of memory (writes refused)';
    case 'redis-auth':
      return 'redis authentication failed';
    case 'redis-readonly':
      return 'redis is a read-only replica';
    case 'redis-unreachable':
      return 'redis unreachable';
  }
}
