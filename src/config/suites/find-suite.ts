// Picking one configured suite by the name a user typed on the command line: an unknown
// name is the user's mistake (exit 2), with the configured names and a likely typo named.

import type { Config, Suite } from '../model.js';
import { UserError } from '../../shared/errors.js';
import { closest } from '../suggest.js';

export function findSuite(config: Config, name: string | undefined, command: string): Suite {
  const names = config.suites.map((s) => s.name);
  if (name === undefined || name === '') {
    throw new UserError(`${command}: name a suite (configured: ${names.join(', ') || 'none'})`);
  }
  const suite = config.suites.find((s) => s.name === name);
  if (suite) return suite;
  const guess = closest(name, names);
  throw new UserError(
    `${command}: no suite "${name}" in ${config.file}${guess ? `; did you mean "${guess}"?` : ''} (configured: ${names.join(', ') || 'none'})`,
  );
}
