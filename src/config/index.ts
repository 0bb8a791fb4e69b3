// The config module's public face.

export { loadConfig, type LoadConfigOptions } from './load-config.js';
export { configJsonSchema } from './json-schema.js';
export { promqlSyntaxError } from './promql-syntax.js';
