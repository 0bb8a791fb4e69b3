#!/usr/bin/env node
// The `mesh-soak` command line: parses argv, dispatches to a command, and is the one place
// that turns errors into exit codes. User mistakes (UserError) print their messages and exit
// 2 with no stack trace; faults print one line and exit 1; anything else is a bug and keeps
// its stack.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, Fault } from './shared/errors.js';
import { COMMANDS, usage } from './commands/registry.js';
import type { CommandContext } from './commands/command.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    // Asked for: stdout, exit 0. No command at all is a mistake: stderr, exit 2.
    (name ? process.stdout : process.stderr).write(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === 'version') {
    const { version } = await import('./shared/version.js');
    process.stdout.write(`mesh-soak ${version}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UserError(`unknown command "${name}"; run "mesh-soak --help" for the list`);
  const command = await load();

  const options: ParseArgsConfig['options'] = {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    ...command.options,
  };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${name}: ${(err as Error).message}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  const ctx: CommandContext = {
    values: parsed.values as Record<string, string | boolean | string[] | undefined>,
    positionals: parsed.positionals,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  };
  return command.run(ctx);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof Fault) {
      process.stderr.write(`mesh-soak: ${err.kind}: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`mesh-soak: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
