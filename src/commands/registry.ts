// The table of CLI commands: name → options, help text and handler. Each handler lives in
// its own file and returns the exit code of DESIGN.md's CLI table.

import type { ParseArgsConfig } from 'node:util';
import { UserError } from '../shared/errors.js';

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

/**
 * Loaded on demand: `mesh-soak run` should not carry the demo, the simulator or the
 * suites tooling in memory (about 30 MB of RSS measured by bench/daemon-scale).
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  check: async () => (await import('./check.js')).checkCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  suites: async () => (await import('./suites.js')).suitesCommand,
  disrupt: async () => (await import('./disrupt.js')).disruptCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
};

export async function usage(): Promise<string> {
  const names = Object.keys(COMMANDS);
  const commands = await Promise.all(names.map((n) => (COMMANDS[n] as () => Promise<Command>)()));
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n, i) => `  ${n.padEnd(width)}  ${(commands[i] as Command).summary}`);
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
