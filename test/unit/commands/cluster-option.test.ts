// `--cluster NAME` (check, disrupt, suites apply|delete, bench): the names checked against the
// config's clusters (did-you-mean like the config's own error), the one cluster a command on
// one suite acts on, check's scoping and suite selection over the suite instances, the shared
// resources a suite instance holds, and nothing changed for a config without clusters:.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { instanceView } from '../../../src/config/clusters.js';
import { checkedClusters, clusterArgs, clusterForSuite } from '../../../src/commands/cluster-option.js';
import { scopedConfig, selectGroups } from '../../../src/commands/check.js';
import { clusterResource } from '../../../src/checks/suite-instance.js';
import { benchResources } from '../../../src/benchmark/run-benchmark.js';
import { UserError } from '../../../src/shared/errors.js';
import type { Config } from '../../../src/config/model.js';
import { writeTemp } from '../config/temp-config.js';

const CLUSTERS = `clusters:
  - name: east
    prometheus: { url: "http://127.0.0.1:9091" }
  - name: west
    prometheus: { url: "http://127.0.0.1:9092" }
  - name: north
    prometheus: { url: "http://127.0.0.1:9093" }
suites:
  - use: http10
  - use: graceful-shutdown
    clusters: [west]
checks:
  - { name: rejects, query: "vector(0)", fail: "> 0" }
`;
const PLAIN = 'prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: http10\n';

async function load(text: string): Promise<Config> {
  return loadConfig(await writeTemp(text));
}

function suiteOf(c: Config, name: string) {
  return c.suites.find((s) => s.name === name)!;
}

function userError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

describe('--cluster', () => {
  it('reads one or several values', () => {
    expect(clusterArgs({ values: {} })).toEqual([]);
    expect(clusterArgs({ values: { cluster: 'east' } })).toEqual(['east']);
    expect(clusterArgs({ values: { cluster: ['east', 'west'] } })).toEqual(['east', 'west']);
  });

  it('checks the names: unknown with did-you-mean and the configured list; duplicates dropped', async () => {
    const c = await load(CLUSTERS);
    expect(checkedClusters(c, ['west', 'east', 'west'], 'check')).toEqual(['west', 'east']);
    const msg = userError(() => checkedClusters(c, ['easr'], 'check'));
    expect(msg).toMatch(/^check --cluster easr: unknown cluster 'easr'; did you mean 'east'\? \(clusters in .*mesh-soak\.yaml: east, west, north\)$/);
  });

  it('is refused when the config names no clusters', async () => {
    const c = await load(PLAIN);
    expect(checkedClusters(c, [], 'check')).toEqual([]);
    expect(userError(() => checkedClusters(c, ['east'], 'disrupt'))).toMatch(/^disrupt --cluster east: .*mesh-soak\.yaml names no clusters \(it has no clusters: list\); leave --cluster out$/);
    expect(clusterForSuite(c, suiteOf(c, 'http10'), [], 'disrupt')).toBeUndefined();
  });

  it('a suite on several clusters needs --cluster, naming them; one candidate is taken', async () => {
    const c = await load(CLUSTERS);
    expect(userError(() => clusterForSuite(c, suiteOf(c, 'http10'), [], 'disrupt'))).toBe(
      'disrupt http10: suite "http10" runs on clusters east, west, north; choose one with --cluster NAME (e.g. --cluster east)',
    );
    expect(clusterForSuite(c, suiteOf(c, 'http10'), ['north'], 'disrupt')).toBe('north');
    expect(clusterForSuite(c, suiteOf(c, 'graceful-shutdown'), [], 'suites apply')).toBe('west');
    expect(userError(() => clusterForSuite(c, suiteOf(c, 'graceful-shutdown'), ['east'], 'suites apply'))).toMatch(/not bound to cluster 'east' .*\(its clusters: west\)$/);
    expect(userError(() => clusterForSuite(c, suiteOf(c, 'http10'), ['east', 'west'], 'disrupt'))).toMatch(/one cluster at a time/);
  });
});

describe('check over suite instances', () => {
  it('every instance on every cluster by default; --cluster narrows; --suite picks a suite on each', async () => {
    const c = await load(CLUSTERS);
    const all = selectGroups(instanceView(scopedConfig(c, [], undefined)), []).map((g) => g.suite);
    expect(all).toEqual(['east/http10', 'east/mesh', 'west/http10', 'west/graceful-shutdown', 'west/mesh', 'north/http10', 'north/mesh']);
    const west = instanceView(scopedConfig(c, ['west'], undefined));
    expect(west.prometheus.url).toBe('http://127.0.0.1:9092');
    expect(selectGroups(west, []).map((g) => g.suite)).toEqual(['west/http10', 'west/graceful-shutdown', 'west/mesh']);
    const view = instanceView(c);
    expect(selectGroups(view, ['http10']).map((g) => g.suite)).toEqual(['east/http10', 'west/http10', 'north/http10']);
    expect(selectGroups(view, ['north/http10', 'mesh']).map((g) => g.suite)).toEqual(['east/mesh', 'west/mesh', 'north/http10', 'north/mesh']);
    expect(() => selectGroups(view, ['htp10'])).toThrow(/--suite htp10: no such suite .* on clusters east, west, north \(configured: http10, mesh, graceful-shutdown\)/);
  });

  it('--prometheus replaces one cluster\'s Prometheus only', async () => {
    const c = await load(CLUSTERS);
    expect(() => scopedConfig(c, [], 'http://127.0.0.1:1')).toThrow(/say which one it replaces with --cluster NAME/);
    const one = scopedConfig(c, ['north'], 'http://127.0.0.1:1');
    expect(one.clusters?.map((x) => [x.name, x.prometheus.url])).toEqual([['north', 'http://127.0.0.1:1']]);
  });

  it('without clusters: groups, names and --prometheus as before', async () => {
    const c = await load(`${PLAIN}checks:\n  - { name: rejects, query: "vector(0)", fail: "> 0" }\n`);
    const scoped = scopedConfig(c, [], 'http://127.0.0.1:1');
    expect(scoped.prometheus.url).toBe('http://127.0.0.1:1');
    expect(instanceView(scoped)).toBe(scoped);
    expect(selectGroups(scoped, []).map((g) => g.suite)).toEqual(['http10', 'mesh']);
    expect(selectGroups(scoped, ['mesh', 'http10']).map((g) => g.suite)).toEqual(['http10', 'mesh']);
  });
});

describe('shared resources of a suite instance', () => {
  it("are its cluster's; the names as before without clusters", () => {
    expect(clusterResource('east/bench', 'control-plane')).toBe('east/control-plane');
    expect(clusterResource('bench', 'control-plane')).toBe('control-plane');
    expect(benchResources('twopods')).toEqual(['namespace/twopods', 'control-plane']);
    expect(benchResources('twopods', 'bench')).toEqual(['namespace/twopods', 'control-plane']);
    expect(benchResources('twopods', 'west/bench')).toEqual(['west/namespace/twopods', 'west/control-plane']);
  });
});

describe('the commands', () => {
  it('take --cluster and say so in their help', async () => {
    const { checkCommand } = await import('../../../src/commands/check.js');
    const { disruptCommand } = await import('../../../src/commands/disrupt.js');
    const { suitesCommand } = await import('../../../src/commands/suites.js');
    const { benchCommand } = await import('../../../src/commands/bench.js');
    for (const c of [checkCommand, disruptCommand, suitesCommand, benchCommand]) {
      expect(c.options?.['cluster'], c.summary).toEqual({ type: 'string', multiple: true });
      expect(c.help).toContain('--cluster NAME');
    }
  });
});
