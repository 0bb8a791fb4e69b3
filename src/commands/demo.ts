// `mesh-soak demo`: the whole loop on this machine, run by the simulator (simulator/,
// outside the product). Only this command loads it, lazily and by a computed path, so the
// product's build and the runtime image hold no simulator; from an install without it the
// command says so instead of failing on a missing module.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../shared/errors.js';
import type { Command } from './command.js';

/** simulator/demo-command.js beside src/ (dist/simulator/ when built). */
const DEMO_MODULE = new URL('../../simulator/demo-command.js', import.meta.url);

const present = existsSync(fileURLToPath(DEMO_MODULE)) || existsSync(fileURLToPath(DEMO_MODULE).replace(/\.js$/, '.ts'));

/** Without the simulator: the same summary, and a clear refusal instead of a missing module. */
const absent: Command = {
  summary: 'everything on this machine: Redis, Prometheus, Alertmanager, a simulated cluster and the daemon',
  help: 'usage: mesh-soak demo [options] (not available: this install has no simulator; run it from a source checkout)',
  // The demo's own options, so a user gets the clear refusal below, not "unknown option".
  options: { fault: { type: 'string', multiple: true }, tick: { type: 'string' }, duration: { type: 'string' }, port: { type: 'string' }, 'bench-every': { type: 'string' }, chaos: { type: 'boolean' } },
  run() {
    throw new UserError('demo: the simulator is not part of this install (the runtime image ships the daemon only); run the demo from a source checkout: npm run demo');
  },
};

export const demoCommand: Command = present ? ((await import(DEMO_MODULE.href)) as { demoCommand: Command }).demoCommand : absent;
