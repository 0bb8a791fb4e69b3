// What a CLI command is (options, help, handler) and what it is handed; the one module every
// command imports from the command layer, so commands and the registry never import each
// other.

import type { ParseArgsConfig } from 'node:util';
import { join } from 'node:path';
import { UserError } from '../shared/errors.js';
import { packageRoot } from '../shared/package-root.js';

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

/** The config file named by --config or MESH_SOAK_CONFIG; a UserError when neither is given. */
export function configPath(ctx: CommandContext): string {
  const file = (ctx.values.config as string | undefined) ?? ctx.env.MESH_SOAK_CONFIG;
  if (!file) {
    throw new UserError('no config file: pass --config FILE or set MESH_SOAK_CONFIG');
  }
  return file;
}

/** The example config shipped with mesh-soak (written by `init`, read by `suites` without a config). */
export const EXAMPLE_CONFIG = join(packageRoot, 'examples', 'mesh-soak.yaml');

/** --config, MESH_SOAK_CONFIG, else the shipped example (for commands that only read suites). */
export function configPathOrExample(ctx: CommandContext): string {
  return (ctx.values.config as string | undefined) ?? ctx.env.MESH_SOAK_CONFIG ?? EXAMPLE_CONFIG;
}
