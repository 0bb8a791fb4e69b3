// The config's JSON Schema for editors (`mesh-soak schema`), generated from the same zod
// schema the loader validates with, so the two cannot drift. Input shape: durations are
// strings with a pattern, defaults are shown.

import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): object {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  // prometheus is required unless clusters: names one per cluster (load-config.ts checkClusters).
  return { ...schema, anyOf: [{ required: ['prometheus'] }, { required: ['clusters'] }] };
}
