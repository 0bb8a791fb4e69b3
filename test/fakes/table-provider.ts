// A MetricsProvider that answers from a table (expr → samples, or an error to throw), the
// fake the check engine's unit tests use (test/unit/checks/evaluate-group.test.ts). Contract-tested in
// test/contract/metrics-provider.test.ts, fed with answers recorded from a real Prometheus.

import type { MetricsProvider, Sample } from '../../src/checks/types.js';

export function tableProvider(table: Record<string, Sample[] | Error | string>): { provider: MetricsProvider; asked: string[] } {
  const asked: string[] = [];
  const provider: MetricsProvider = {
    query: async (expr) => {
      asked.push(expr);
      const answer = table[expr];
      if (answer === undefined) throw new Error(`unexpected query ${expr}`);
      if (answer instanceof Error || typeof answer === 'string') throw answer;
      return answer;
    },
    close: async () => {},
  };
  return { provider, asked };
}
