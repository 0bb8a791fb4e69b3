// The metrics-provider interface lives in the core (src/checks/types.ts) so the core imports
// no adapter; re-exported here for the adapters that implement it.

export type { InstantQueryOptions, MetricsProvider } from '../../checks/types.js';

export type PromErrorKind = 'unreachable' | 'timeout' | 'http' | 'bad_data' | 'execution';
