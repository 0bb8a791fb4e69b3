// The metrics-provider interface lives in the core (src/checks/types.ts) so the core imports
// no adapter; re-exported here for the adapters that implement it.

export type { InstantQueryOptions, MetricsProvider } from '../../checks/types.js';

/** too_large: the answer passed prometheus.maxBodyBytes or maxSeries. */
export type PromErrorKind = 'unreachable' | 'timeout' | 'http' | 'bad_data' | 'execution' | 'too_large';
