// What Redis said, read from the error a command failed with (ReplyError messages as Redis
// 7 sends them, wrapped or in a refused MULTI).

import { describe, expect, it } from 'vitest';
import { describeRedisProblem, redisProblemOf } from '../../../src/adapters/redis/redis-errors.js';
import { Fault } from '../../../src/shared/errors.js';

describe('redisProblemOf', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['OOM reply', new Error("OOM command not allowed when used memory > 'maxmemory'."), 'redis-oom'],
    ['wrapped OOM', new Fault('redis', 'saving check records of web failed', { cause: new Error("OOM command not allowed when used memory > 'maxmemory'.") }), 'redis-oom'],
    [
      'refused MULTI',
      Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), { previousErrors: [new Error("OOM command not allowed when used memory > 'maxmemory'.")] }),
      'redis-oom',
    ],
    ['wrong password', new Error('WRONGPASS invalid username-password pair or user is disabled.'), 'redis-auth'],
    ['no password', new Error('NOAUTH Authentication required.'), 'redis-auth'],
    ['refused', new Error('connect ECONNREFUSED 127.0.0.1:6379'), 'redis-unreachable'],
    ['closed', new Error('Connection is closed.'), 'redis-unreachable'],
    ['anything else', new Error('boom'), undefined],
  ];
  for (const [name, err, want] of cases) it(name, () => expect(redisProblemOf(err)).toBe(want));

  it('says authentication, not unreachable', () => {
    expect(describeRedisProblem('redis-auth')).toBe('redis authentication failed');
  });
});
