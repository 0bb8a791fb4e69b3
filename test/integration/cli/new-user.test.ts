// A new user's first commands, with no config anywhere: `suites list` and `suites render`
// show the shipped suites, `init` writes the example config (never over an existing file),
// and the written config validates.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from '../../harness/index.js';
import { scaledMs } from '../../../simulator/local/wait-for.js';

const run = promisify(execFile);
let cli: string;
let dir: string;
/** The environment without MESH_SOAK_CONFIG, so nothing points at a config. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'MESH_SOAK_CONFIG'));

async function mesh(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, ...args], { cwd: dir, env, timeout: scaledMs(120_000) });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  cli = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'mesh-soak-new-user-'));
}, scaledMs(600_000));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('without a config', () => {
  it('suites list shows the shipped suites', async () => {
    const r = await mesh(['suites', 'list']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const s of ['http10', 'graceful-shutdown', 'gateway-bouncer', 'istio-upgrader']) expect(r.stdout).toContain(s);
  });

  it('suites render prints a shipped suite\'s manifests', async () => {
    const r = await mesh(['suites', 'render', 'http10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kind: Deployment$/m);
  });

  it('run still needs a config, and says how to give one', async () => {
    const r = await mesh(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no config file: pass --config FILE or set MESH_SOAK_CONFIG');
  });
});

describe('mesh-soak init', () => {
  it('writes the commented example config, which validates', async () => {
    const r = await mesh(['init']);
    expect(r.code).toBe(0);
    const text = await readFile(join(dir, 'mesh-soak.yaml'), 'utf8');
    expect(text).toMatch(/^# mesh-soak's config/);
    const v = await mesh(['validate', '--config', 'mesh-soak.yaml']);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
  });

  it('refuses to overwrite an existing file without --force, and loses nothing', async () => {
    await writeFile(join(dir, 'mine.yaml'), 'edited\n');
    const r = await mesh(['init', 'mine.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mine.yaml already exists; pass --force to overwrite it');
    expect(await readFile(join(dir, 'mine.yaml'), 'utf8')).toBe('edited\n');
    expect((await mesh(['init', 'mine.yaml', '--force'])).code).toBe(0);
    expect(await readFile(join(dir, 'mine.yaml'), 'utf8')).toMatch(/^# mesh-soak's config/);
  });
});
