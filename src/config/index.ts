// The config module's public face.
//
// src/config/: reading the YAML config and suite folders (config/suites/) into the model,
// with located problems. May import: checks/, shared/.

export { loadConfig, type LoadConfigOptions } from './load-config.js';
export { configJsonSchema } from './json-schema.js';
export { promqlSyntaxError } from './promql-syntax.js';
