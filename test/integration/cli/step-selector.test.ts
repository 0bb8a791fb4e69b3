// `mesh-soak validate` as a user runs it, on a suite whose deletePods step has a label
// selector the API server would refuse: exit 2, the suite file, line and field on stderr,
// no stack trace — before anything could touch a cluster.

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtCli } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const run = promisify(execFile);
let cli: string;
let dir: string;

beforeAll(async () => {
  cli = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-step-selector-'));
  await mkdir(join(dir, 'chaos'));
  await writeFile(join(dir, 'mesh-soak.yaml'), 'prometheus: { url: "http://127.0.0.1:9090" }\nsuites:\n  - use: ./chaos\n');
  await writeFile(
    join(dir, 'chaos', 'suite.yaml'),
    ['name: chaos', 'namespace: soak-chaos', 'disruption:', '  schedule: { every: 1m }', '  steps:', '    - deletePods: { selector: "app in (istiod", keep: 1 }', ''].join('\n'),
  );
}, scaledMs(600_000));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('validate exits 2 naming the suite file, line, column and field of a bad deletePods selector', async () => {
  const r = await run(process.execPath, [cli, 'validate', '--config', join(dir, 'mesh-soak.yaml')], { cwd: dir, timeout: scaledMs(120_000) }).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${join(dir, 'chaos', 'suite.yaml')}:6:31: disruption.steps.0.deletePods.selector: not a valid label selector: unbalanced parentheses`);
  expect(r.stderr).not.toMatch(/^\s+at /m);
});
