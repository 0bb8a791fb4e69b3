// `mesh-soak init [FILE]`: writes the example config (examples/mesh-soak.yaml, with a comment
// on every section) to FILE, default ./mesh-soak.yaml. Never overwrites a file without
// --force, so a second `init` cannot lose an edited config.

import { copyFile, constants } from 'node:fs/promises';
import { UserError } from '../shared/errors.js';
import { EXAMPLE_CONFIG } from './command.js';
import type { Command } from './command.js';

export const initCommand: Command = {
  summary: 'write an example config with comments (default ./mesh-soak.yaml)',
  help: [
    'usage: mesh-soak init [FILE] [--force]',
    '',
    'Writes the example config, every section commented, to FILE (default mesh-soak.yaml).',
    'Refuses to overwrite an existing file unless --force. Then: mesh-soak validate --config FILE.',
  ].join('\n'),
  options: { force: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.positionals.length > 1) throw new UserError(`init: one file at a time (got ${ctx.positionals.join(', ')})`);
    const file = ctx.positionals[0] ?? 'mesh-soak.yaml';
    const flags = ctx.values.force === true ? 0 : constants.COPYFILE_EXCL;
    try {
      await copyFile(EXAMPLE_CONFIG, file, flags);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new UserError(`init: ${file} already exists; pass --force to overwrite it`);
      throw new UserError(`init: cannot write ${file} (${code ?? 'error'})`);
    }
    ctx.stdout.write(`wrote ${file}; next: mesh-soak validate --config ${file}\n`);
    return 0;
  },
};
