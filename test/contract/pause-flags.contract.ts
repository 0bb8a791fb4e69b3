// The PauseFlags contract (src/adapters/redis/pause-flags.ts): each suite's paused flag,
// shared by every replica. Redis is the only implementation (tests that need none pass a
// one-method stub).
//
// The port promises: a suite never paused is not paused; set(true) then set(false) round
// trips, each idempotent; all() names exactly the paused suites; the flag is its presence
// (the stored value, the time it was set, is for humans), so a value it cannot read still
// means paused rather than an error; two key prefixes do not see each other.

import type { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import type { PauseFlags } from '../../src/adapters/redis/pause-flags.js';
import { caseRegistrar } from './contract-case.js';

export type PauseFlagsCase = 'missing' | 'round-trip' | 'idempotent' | 'all' | 'corrupt-value' | 'prefix-isolation';

export interface PauseFlagsSubject {
  make(prefix: string): PauseFlags;
  prefix(): string;
  redis(): Redis;
  /** The hash holding the flags under a prefix, for raw writes. */
  key(prefix: string): string;
  allKeys(): Promise<string[]>;
  knownFailures?: Partial<Record<PauseFlagsCase, string>>;
}

export function pauseFlagsContract(name: string, subject: PauseFlagsSubject): void {
  const test = caseRegistrar<PauseFlagsCase, never>({}, subject.knownFailures);

  describe(`PauseFlags contract: ${name}`, () => {
    test('missing', 'a suite never paused is not paused, and all() is empty', {}, async () => {
      const flags = subject.make(subject.prefix());
      expect(await flags.isPaused('web')).toBe(false);
      expect(await flags.all()).toEqual(new Set());
    });

    test('round-trip', 'set(true) pauses the suite, set(false) resumes it', {}, async () => {
      const flags = subject.make(subject.prefix());
      await flags.set('web', true);
      expect(await flags.isPaused('web')).toBe(true);
      await flags.set('web', false);
      expect(await flags.isPaused('web')).toBe(false);
    });

    test('idempotent', 'pausing twice and resuming a suite that is not paused are no-ops', {}, async () => {
      const flags = subject.make(subject.prefix());
      await flags.set('web', false);
      expect(await flags.isPaused('web')).toBe(false);
      await flags.set('web', true);
      await flags.set('web', true);
      expect(await flags.all()).toEqual(new Set(['web']));
      await flags.set('web', false);
      await flags.set('web', false);
      expect(await flags.all()).toEqual(new Set());
    });

    test('all', 'all() names exactly the paused suites, and a replica on the same prefix sees them', {}, async () => {
      const prefix = subject.prefix();
      const flags = subject.make(prefix);
      await flags.set('web', true);
      await flags.set('mesh', true);
      await flags.set('gateway', true);
      await flags.set('mesh', false);
      const other = subject.make(prefix);
      expect(await other.all()).toEqual(new Set(['web', 'gateway']));
      expect(await other.isPaused('mesh')).toBe(false);
    });

    test('corrupt-value', 'a flag whose stored value is not a time still reads as paused, without an error', {}, async () => {
      const prefix = subject.prefix();
      const flags = subject.make(prefix);
      await subject.redis().hset(subject.key(prefix), 'web', 'not-a-timestamp');
      expect(await flags.isPaused('web')).toBe(true);
      expect(await flags.all()).toEqual(new Set(['web']));
      await flags.set('web', false);
      expect(await flags.isPaused('web')).toBe(false);
    });

    test('prefix-isolation', 'two key prefixes on one Redis do not see each other, and keys stay under their prefix', {}, async () => {
      const [pa, pb] = [subject.prefix(), subject.prefix()];
      const a = subject.make(pa);
      const b = subject.make(pb);
      const before = new Set(await subject.allKeys());
      await a.set('web', true);
      await b.set('mesh', true);
      const written = (await subject.allKeys()).filter((k) => !before.has(k));
      // The paused hash of each prefix (and, where the store keeps one, its data-epoch marker).
      expect(written.filter((k) => k.endsWith(':paused')).sort()).toEqual([`${pa}:paused`, `${pb}:paused`].sort());
      expect(written.filter((k) => !k.startsWith(`${pa}:`) && !k.startsWith(`${pb}:`))).toEqual([]);
      expect(await a.isPaused('mesh')).toBe(false);
      expect(await b.isPaused('web')).toBe(false);
      expect(await a.all()).toEqual(new Set(['web']));
      expect(await b.all()).toEqual(new Set(['mesh']));
    });
  });
}
