// The table of CLI commands: name → a lazy loader of its module (command.ts says what a
// command is). Each handler lives in its own file and returns the exit code of DESIGN.md's
// CLI table. Commands never import this file.
//
// May import (commands/ as a whole): app/, config/, checks/, disruption/, adapters/,
// telemetry/, shared/; never test/, bench/ or simulator/ (demo.ts loads it by a computed path).


import type { Command } from './command.js';

/**
 * Loaded on demand: `mesh-soak run` should not carry the demo, the simulator or the
 * suites tooling in memory (about 30 MB of RSS measured by bench/daemon-scale).
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./init.js')).initCommand,
  run: async () => (await import('./run.js')).runCommand,
  check: async () => (await import('./check.js')).checkCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  suites: async () => (await import('./suites.js')).suitesCommand,
  disrupt: async () => (await import('./disrupt.js')).disruptCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  bench: async () => (await import('./bench.js')).benchCommand,
  report: async () => (await import('./report.js')).reportCommand,
  rules: async () => (await import('./rules.js')).rulesCommand,
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

