// The one parser of `--port N` for the commands that listen (run, demo), so they agree on
// what a port is: 0 means "any free port" in both.

import { UserError } from '../shared/errors.js';

export function parsePort(text: string | undefined, flag = '--port'): number | undefined {
  if (text === undefined) return undefined;
  // Number('') and Number(' ') are 0: only digits count as a port.
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`${flag}: "${text}" is not a port (0-65535; 0 picks a free one)`);
  }
  return port;
}
