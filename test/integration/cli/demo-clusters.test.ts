// `mesh-soak demo --clusters 2` (issue 15): two simulated clusters (a fake Kubernetes API, an
// Istio metrics target and a Prometheus each), http10 bound to both, the benchmark to cluster-1. A fault on cluster-2's
// http10 fails that instance only: the status API and /metrics carry the cluster. One SIGINT
// to the process group stops it all: exit 0, no process left, no temp dir left.

import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { builtCli, waitFor } from '../../harness/index.js';
import type { StatusBody } from '../../../src/daemon/status.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const demoDirs = async (): Promise<string[]> => (await readdir(tmpdir())).filter((n) => n.startsWith('mesh-soak-demo-'));

function processesUsing(dirs: string[]): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => dirs.some((d) => l.includes(d)));
}

async function status(url: string): Promise<StatusBody | undefined> {
  return fetch(`${url}api/v1/status`).then((r) => r.json() as Promise<StatusBody>).catch(() => undefined);
}

const stateOf = (body: StatusBody | undefined, suite: string, check: string): string | undefined =>
  body?.suites.find((s) => s.name === suite)?.checks.find((c) => c.name === check)?.state;

describe('demo --clusters 2', () => {
  it('runs http10 on both clusters, fails only the faulted instance, and stops on one SIGINT', async () => {
    const cli = await builtCli();
    const before = new Set(await demoDirs());
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    const child = spawn(process.execPath, [cli, 'demo', '--clusters', '2', '--tick', '2s', '--fault', 'cluster-2/http10:5xx'], { detached: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    let code: number | null | undefined;
    child.once('exit', (c) => (code = c));
    let dirs: string[] = [];
    try {
      await waitFor(() => out.includes('Ctrl-C stops everything') || code !== undefined, { timeoutMs: 240_000, what: 'the demo to be running', seen: () => out.slice(-2000) });
      expect(code, out.slice(-2000)).toBeUndefined();
      dirs = (await demoDirs()).filter((d) => !before.has(d));
      const url = /status page +(\S+)/.exec(out)?.[1] ?? '';
      expect(out).toMatch(/clusters +cluster-1, cluster-2/);
      let body: StatusBody | undefined;
      await waitFor(
        async () => {
          body = await status(url);
          return stateOf(body, 'cluster-2/http10', '5xx-rate') === 'failing' && stateOf(body, 'cluster-1/http10', '5xx-rate') === 'ok';
        },
        { timeoutMs: 180_000, intervalMs: 1000, what: "cluster-2's http10 failing 5xx-rate while cluster-1's is ok", seen: () => JSON.stringify(body?.suites.map((s) => [s.name, s.checks.map((c) => `${c.name}:${c.state}`)])) },
      );
      const names = body!.suites.map((s) => [s.name, s.cluster]);
      expect(names).toContainEqual(['cluster-1/http10', 'cluster-1']);
      expect(names).toContainEqual(['cluster-2/http10', 'cluster-2']);
      expect(names).toContainEqual(['cluster-2/mesh', 'cluster-2']);
      // Only cluster-1 runs the other suites.
      expect(names.filter(([n]) => n?.startsWith('cluster-2/')).map(([n]) => n).sort()).toEqual(['cluster-2/http10', 'cluster-2/mesh']);
      // The benchmark runs on cluster-1 only (its first run starts with the demo), as that instance.
      expect(names).toContainEqual(['cluster-1/benchmark', 'cluster-1']);
      await waitFor(() => /benchmark {2}cluster-1\/benchmark: run (?!\S*seeded)\S+ (running|done)/.test(out), {
        timeoutMs: 120_000,
        what: "the benchmark's first run on cluster-1",
        seen: () => out.split('\n').filter((l) => l.includes('benchmark')).join('\n'),
      });
      const metrics = await fetch(url.replace(/\/$/, '/metrics')).then((r) => r.text());
      expect(metrics).toMatch(/mesh_soak_check_failing\{suite="http10",check="5xx-rate",severity="critical",cluster="cluster-2"\} 1/);
      expect(metrics).toMatch(/mesh_soak_check_failing\{suite="http10",check="5xx-rate",severity="critical",cluster="cluster-1"\} 0/);
      expect(metrics).toMatch(/mesh_soak_prometheus_request_duration_seconds_count\{outcome="success",cluster="cluster-2"\} [1-9]/);
    } finally {
      if (code === undefined) process.kill(-child.pid!, 'SIGINT');
      await waitFor(() => code !== undefined, { timeoutMs: 120_000, what: 'the demo to exit on one SIGINT', seen: () => out.slice(-2000) }).catch(() => process.kill(-child.pid!, 'SIGKILL'));
    }
    expect(code, out.slice(-2000)).toBe(0);
    expect((await demoDirs()).filter((d) => dirs.includes(d))).toEqual([]);
    await waitFor(() => processesUsing(dirs).length === 0, { timeoutMs: 10_000, what: 'no process left', seen: () => processesUsing(dirs).join('\n') });
  }, scaledMs(600_000));
});
