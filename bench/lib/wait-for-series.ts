// Waits (bounded) until Prometheus has scraped a metric, so a benchmark's first tick has data.

import { waitFor } from '../../test/harness/index.js';

export async function waitForSeries(promUrl: string, metric: string): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${promUrl}/api/v1/query?query=count(${metric})`);
      const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
      return Number(body.data?.result?.[0]?.value[1] ?? 0) > 0;
    },
    { timeoutMs: 30_000, what: `Prometheus has ${metric}` },
  );
}
