// `kubectl kustomize deploy/` as an operator runs it before `apply -k`: the base builds offline
// and yields every object the files hold, with the part-of label added.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { arr, DEPLOY, deployObjects, isObj, obj } from './manifests.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

describe.skipIf(!existsSync(KUBECTL))('kustomize build', () => {
  it('builds the base into the same objects, each labelled part-of mesh-soak', async () => {
    const { stdout } = await run(KUBECTL, ['kustomize', DEPLOY], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    const built = parseAllDocuments(stdout).map((d) => d.toJS() as unknown).filter(isObj);
    const key = (o: Record<string, unknown>) =>
      `${String(o.kind)}/${String(obj(o.metadata).namespace ?? '')}/${String(obj(o.metadata).name)}`;
    expect(built.map(key).sort()).toEqual(deployObjects().map(({ o }) => key(o)).sort());
    for (const o of built) expect(obj(obj(o.metadata).labels)['app.kubernetes.io/part-of'], key(o)).toBe('mesh-soak');
    const deployment = built.find((o) => o.kind === 'Deployment' && obj(o.metadata).name === 'mesh-soak');
    const containers = arr(obj(obj(obj(deployment?.spec).template).spec).containers).map(obj);
    expect(containers.map((c) => c.image)).toEqual(['mesh-soak:0.1.0']);
  });
});
