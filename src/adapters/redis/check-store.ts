// Check records per suite in Redis: one hash per suite, field = check name, value = the
// JSON CheckRecord. Kept outside the process so a restart, or another replica picking up
// the next tick, continues `for` timers and pending/failing instances where they were.

import type { Redis } from 'ioredis';
import type { CheckRecord } from '../../checks/types.js';
import { Fault } from '../../shared/errors.js';
import type { StateKeys } from './keys.js';

export class CheckStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
  ) {}

  async load(suite: string): Promise<Record<string, CheckRecord>> {
    const raw = await this.redis.hgetall(this.keys.checks(suite));
    const out: Record<string, CheckRecord> = {};
    for (const [check, json] of Object.entries(raw)) {
      const record = parseRecord(json);
      // A record we cannot read is dropped: the check starts afresh rather than the tick failing.
      if (record) out[check] = record;
    }
    return out;
  }

  /** Replaces the suite's records, so checks that left the config do not linger. */
  async save(suite: string, records: Record<string, CheckRecord>): Promise<void> {
    const key = this.keys.checks(suite);
    const fields: string[] = [];
    for (const [check, record] of Object.entries(records)) fields.push(check, JSON.stringify(record, jsonNumbers));
    const tx = this.redis.multi().del(key);
    if (fields.length > 0) tx.hset(key, ...fields);
    const result = await tx.exec();
    const failed = result?.find(([err]) => err !== null);
    if (!result || failed) throw new Fault('redis', `saving check records of ${suite} failed`, { cause: failed?.[0] });
  }

  async remove(suite: string): Promise<void> {
    await this.redis.del(this.keys.checks(suite));
  }
}

// JSON has no NaN/Infinity; Prometheus does. Keep them as strings and turn them back on load.
function jsonNumbers(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $num: String(value) };
  return value;
}

function reviveNumbers(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && '$num' in value) {
    const text = (value as { $num: unknown }).$num;
    if (typeof text === 'string') return Number(text);
  }
  return value;
}

function parseRecord(json: string): CheckRecord | undefined {
  try {
    const value = JSON.parse(json, reviveNumbers) as unknown;
    if (value && typeof value === 'object' && 'state' in value && 'instances' in value) return value as CheckRecord;
  } catch {
    // fall through
  }
  return undefined;
}
