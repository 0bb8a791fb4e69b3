// Many clusters in one config (issue 15): `clusters:` resolved, suites bound to some of them,
// located problems, and the instance view the daemon runs. Without `clusters:` nothing moves:
// the view is the config itself and ids are the suites' names.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { instanceView, clusterNames } from '../../../src/config/clusters.js';
import { activeGroups } from '../../../src/config/check-groups.js';
import { wantedTickSchedulers, wantedDisruptionSchedulers, jobDataOf } from '../../../src/adapters/bullmq/schedules.js';
import { clusterLabel, instanceId, splitInstanceId } from '../../../src/checks/suite-instance.js';
import { UserError } from '../../../src/shared/errors.js';
import { writeTemp } from './temp-config.js';

const CLUSTERS = `clusters:
  - name: east
    kubernetes: { kubeconfig: kube/east.yaml, context: east-admin }
    prometheus: { url: "http://127.0.0.1:9091", timeout: 3s }
  - name: west
    prometheus: { url: "http://127.0.0.1:9092" }
`;
const MESH = 'checks:\n  - { name: rejects, query: "vector(0)", fail: "> 0" }\n';

async function problemsOf(text: string): Promise<Array<[number, string, string]>> {
  const err = await loadConfig(await writeTemp(text)).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return (err as UserError).problems.map((p) => [p.line, p.path, p.message]);
}

describe('clusters config', () => {
  it('resolves each cluster; the top-level prometheus and kubernetes are the first one', async () => {
    const file = await writeTemp(`${CLUSTERS}suites:\n  - use: http10\n    clusters: [west]\n  - use: graceful-shutdown\n`);
    const c = await loadConfig(file);
    expect(c.clusters?.map((x) => [x.name, x.prometheus.url, x.prometheus.timeoutMs, x.kubernetes.context ?? null])).toEqual([
      ['east', 'http://127.0.0.1:9091', 3000, 'east-admin'],
      ['west', 'http://127.0.0.1:9092', 10_000, null],
    ]);
    expect(c.clusters?.[0]?.kubernetes.kubeconfig).toMatch(/kube\/east\.yaml$/);
    expect(c.prometheus.url).toBe('http://127.0.0.1:9091');
    expect(c.suites.map((s) => [s.name, s.clusters ?? null])).toEqual([['http10', ['west']], ['graceful-shutdown', null]]);
  });

  it('the instance view: one suite per bound cluster, cluster-major, the mesh checks per cluster', async () => {
    const c = await loadConfig(await writeTemp(`${CLUSTERS}suites:\n  - use: http10\n    clusters: [west]\n  - use: graceful-shutdown\n${MESH}`));
    const v = instanceView(c);
    expect(v.suites.map((s) => [s.name, s.cluster])).toEqual([
      ['east/graceful-shutdown', 'east'],
      ['east/mesh', 'east'],
      ['west/http10', 'west'],
      ['west/graceful-shutdown', 'west'],
      ['west/mesh', 'west'],
    ]);
    expect(v.checks).toEqual([]);
    expect(instanceView(v)).toBe(v);
    expect([...activeGroups(v).keys()]).toEqual(v.suites.map((s) => s.name));
    expect(wantedTickSchedulers(v).map((w) => w.id)).toContain('tick:west/http10');
    expect(wantedDisruptionSchedulers(v).map((w) => w.id)).toEqual(['disruption:east/graceful-shutdown', 'disruption:west/graceful-shutdown']);
    expect(jobDataOf('west/http10')).toEqual({ cluster: 'west', suite: 'http10' });
  });

  it('without clusters: the view is the config, ids and job data are the suite names as before', async () => {
    const c = await loadConfig(await writeTemp(`prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: http10\n${MESH}`));
    expect(instanceView(c)).toBe(c);
    expect(clusterNames(c)).toEqual(['default']);
    expect([...activeGroups(c).keys()]).toEqual(['http10', 'mesh']);
    expect(wantedTickSchedulers(c).map((w) => w.id)).toEqual(['tick:http10', 'tick:mesh']);
    expect(jobDataOf('http10')).toEqual({ suite: 'http10' });
    expect(clusterLabel('http10')).toEqual({});
    expect(clusterLabel('east/http10')).toEqual({ cluster: 'east' });
    expect(instanceId(splitInstanceId('east/http10'))).toBe('east/http10');
  });

  it('located problems: unknown cluster with did-you-mean, duplicate names, top-level sections beside clusters:', async () => {
    const text = `prometheus: { url: "http://127.0.0.1:9090" }\nkubernetes: {}\nclusters:\n  - name: east\n    prometheus: { url: "http://127.0.0.1:9091" }\n  - name: east\n    prometheus: { url: "http://127.0.0.1:9092" }\nsuites:\n  - use: http10\n    clusters: [est]\n`;
    expect(await problemsOf(text)).toEqual([
      [1, 'prometheus', 'with clusters:, give prometheus under each cluster (one place per setting), not at the top level'],
      [2, 'kubernetes', 'with clusters:, give kubernetes under each cluster (one place per setting), not at the top level'],
      [6, 'clusters.1.name', "duplicate cluster name 'east' (first used by clusters.0)"],
      [10, 'suites.0.clusters.0', "unknown cluster 'est'; did you mean 'east'? (clusters: east)"],
    ]);
  });

  it('a suite bound to clusters without clusters:, a bad cluster name, no prometheus at all', async () => {
    expect(await problemsOf('prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: http10\n    clusters: [east]\n')).toEqual([
      [4, 'suites.0.clusters', 'clusters: needs a top-level clusters: list naming them'],
    ]);
    const bad = await problemsOf('clusters:\n  - name: East/1\n    prometheus: { url: "http://127.0.0.1:9091" }\n');
    expect(bad).toEqual([[2, 'clusters.0.name', 'a cluster name is lower-case letters, digits, "-" and "_", starting with a letter or digit']]);
    expect((await problemsOf('tick: 5s\n')).map((p) => p[2])).toEqual(["missing required field 'prometheus'"]);
  });
});
