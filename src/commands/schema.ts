// `mesh-soak schema`: the config's JSON Schema, for editors (e.g. yaml-language-server).
import { configJsonSchema } from '../config/json-schema.js';
import type { Command } from './command.js';

export const schemaCommand: Command = {
  summary: "print the config's JSON Schema (for editors)",
  help: 'usage: mesh-soak schema > mesh-soak.schema.json',
  options: {},
  async run(ctx) {
    ctx.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    return 0;
  },
};
