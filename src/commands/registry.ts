// The table of CLI commands: name → options, help text and handler. Each handler lives in
// its own file and returns the exit code of DESIGN.md's CLI table.

import type { ParseArgsConfig } from 'node:util';
import { checkCommand } from './check.js';
import { validateCommand } from './validate.js';
import { schemaCommand } from './schema.js';
import { runCommand } from './run.js';
import { demoCommand } from './demo.js';
import { suitesCommand } from './suites.js';
import { disruptCommand } from './disrupt.js';
import { UserError } from '../errors.js';

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Command {
  summary: string;
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  check: checkCommand,
  validate: validateCommand,
  schema: schemaCommand,
  suites: suitesCommand,
  disrupt: disruptCommand,
  demo: demoCommand,
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    'usage: mesh-soak COMMAND [--config FILE] [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'The config file comes from --config or the environment variable MESH_SOAK_CONFIG.',
    'Run "mesh-soak COMMAND --help" for a command\'s options.',
    '',
  ].join('\n');
}

/** The config file named by --config or MESH_SOAK_CONFIG; a UserError when neither is given. */
export function configPath(ctx: CommandContext): string {
  const file = (ctx.values.config as string | undefined) ?? ctx.env.MESH_SOAK_CONFIG;
  if (!file) {
    throw new UserError('no config file: pass --config FILE or set MESH_SOAK_CONFIG');
  }
  return file;
}
