import { describe, expect, it } from 'vitest';
import { groupCoverage } from '../../../src/checks/coverage.js';
import type { CheckRecord, CheckStateName } from '../../../src/checks/types.js';

const rec = (state: CheckStateName, reason?: string): CheckRecord => ({
  state,
  instances: {},
  consecutiveErrors: 0,
  lastEvalAt: 0,
  ...(reason ? { reason } : {}),
});

describe('groupCoverage', () => {
  const table: Array<[string, Array<CheckRecord | undefined>, { checked: boolean; reason: string; detail?: string }]> = [
    ['no records yet', [undefined, undefined], { checked: false, reason: 'not_evaluated' }],
    ['no checks', [], { checked: false, reason: 'not_evaluated' }],
    ['one ok among skipped', [rec('skipped'), rec('ok')], { checked: true, reason: 'checked', detail: '' }],
    ['one failing among unknown', [rec('unknown'), rec('failing')], { checked: true, reason: 'checked' }],
    ['pending counts as checked', [rec('pending')], { checked: true, reason: 'checked' }],
    ['every check skipped', [rec('skipped', 'the suite is not running (its guard is 0)'), rec('skipped')], { checked: false, reason: 'not_running', detail: 'the suite is not running (its guard is 0)' }],
    ['every check unknown', [rec('unknown', "the guard's data source is missing"), rec('unknown')], { checked: false, reason: 'unknown', detail: "the guard's data source is missing" }],
    ['every check skipped as not deployed', [rec('skipped', 'not deployed: namespace x does not exist'), rec('skipped', 'not deployed: namespace x does not exist')], { checked: false, reason: 'not_deployed', detail: 'not deployed: namespace x does not exist' }],
    ['unknown and skipped', [rec('skipped', 'x'), rec('unknown', 'no data')], { checked: false, reason: 'unknown', detail: 'no data' }],
  ];
  for (const [name, records, want] of table) {
    it(name, () => expect(groupCoverage(records)).toMatchObject(want));
  }
});
