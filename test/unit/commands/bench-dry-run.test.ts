// `mesh-soak bench run --dry-run` under clusters: the plan names the locks the run would take,
// per cluster (`east/control-plane`) as the daemon takes them; without clusters: unchanged.
import { describe, expect, it } from 'vitest';
import { benchCommand } from '../../../src/commands/bench.js';
import { writeTemp } from '../config/temp-config.js';

async function dryRun(text: string, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const stdout = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
  const values: Record<string, string | boolean | string[]> = { config: await writeTemp(text), 'dry-run': true };
  const i = args.indexOf('--cluster');
  if (i >= 0) values.cluster = [args[i + 1] as string];
  const code = await benchCommand.run({ values, positionals: ['run', 'benchmark'], env: {}, stdout, stderr: stdout });
  return { code, out };
}

describe('bench run --dry-run', () => {
  it("names the cluster's locks for a suite instance", async () => {
    const text = `clusters:
  - name: east
    prometheus: { url: "http://127.0.0.1:9091" }
  - name: west
    prometheus: { url: "http://127.0.0.1:9092" }
suites:
  - use: benchmark
`;
    const { code, out } = await dryRun(text, ['--cluster', 'east']);
    expect(code).toBe(0);
    expect(out).toMatch(/^benchmark east\/benchmark: /);
    expect(out).toMatch(/^holds: east\/namespace\/\S+, east\/control-plane$/m);
  });

  it('names the plain locks without clusters:', async () => {
    const { code, out } = await dryRun('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: benchmark\n', []);
    expect(code).toBe(0);
    expect(out).toMatch(/^holds: namespace\/\S+, control-plane$/m);
  });
});
