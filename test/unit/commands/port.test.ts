// `--port` as run and demo read it: the same answers from both, 0 meaning "any free port".
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/shared/errors.js';
import { parsePort } from '../../../src/commands/port.js';

describe('parsePort', () => {
  it('accepts 0 (any free port) through 65535, and no flag at all', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
    expect(parsePort('65535')).toBe(65535);
    expect(parsePort(undefined)).toBeUndefined();
  });

  it('refuses what is not a port, naming the flag and the value', () => {
    for (const bad of ['', ' ', '-1', '65536', '80.5', '1e3', '0x50', 'http', '99999999']) {
      expect(() => parsePort(bad), bad).toThrow(UserError);
    }
    expect(() => parsePort('abc')).toThrow('--port: "abc" is not a port (0-65535; 0 picks a free one)');
  });
});
