// `mesh-soak validate`: load the config and every suite it uses; print what was found.
// Any problem surfaces as a UserError (exit 2) from the loader, with every message at once.

import { loadConfig } from '../config/load-config.js';
import { formatDuration } from '../checks/duration.js';
import { configPath, type Command } from './command.js';

export const validateCommand: Command = {
  summary: 'validate the config and every suite it uses (exit 0 valid, 2 invalid)',
  help: 'usage: mesh-soak validate [--config FILE]\n\nLoads and checks the config, its suites and every PromQL expression; changes nothing.',
  options: {},
  async run(ctx) {
    const config = await loadConfig(configPath(ctx), { env: ctx.env });
    const lines = config.suites.map((s) => {
      const schedule = s.disruption
        ? 'every' in s.disruption.schedule
          ? `disrupt every ${formatDuration(s.disruption.schedule.every)}`
          : `disrupt on cron "${s.disruption.schedule.cron}"`
        : 'no disruption';
      return `  ${s.name}${s.enabled ? '' : ' (disabled)'}: ${s.checks.length} checks, tick ${formatDuration(s.tickMs)}, ${schedule}`;
    });
    ctx.stdout.write(
      `${config.file}: valid\n${lines.join('\n')}${lines.length ? '\n' : ''}  mesh-wide: ${config.checks.length} checks, tick ${formatDuration(config.tickMs)}\n`,
    );
    return 0;
  },
};
