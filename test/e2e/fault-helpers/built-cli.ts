// The CLI (`mesh-soak run`) compiled once for the fault tests, which run the daemon as a
// real child process (SIGKILL needs a process). Compiles src/cli.ts and what it imports into
// node_modules/.cache, keyed by the sources' sizes and mtimes, so the five fault files share
// one build and a stale dist/ never hides a change. tsc still emits when unrelated
// in-progress files have type errors; only a missing output is a failure.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../../..');
const cacheDir = join(root, 'node_modules/.cache/mesh-soak-fault-cli');

async function sourceKey(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ts')) {
        const s = await stat(p);
        hash.update(`${p}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  await walk(join(root, 'src'));
  return hash.digest('hex').slice(0, 16);
}

/** Path of cli.js, built if the sources changed since the last build. */
export async function buildCli(): Promise<string> {
  const key = await sourceKey();
  const final = join(cacheDir, key);
  const cli = join(final, 'src/cli.js');
  if (existsSync(cli)) return cli;
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, 'build-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck',
      '--types', 'node', '--rootDir', root, '--outDir', tmp, '--resolveJsonModule',
      join(root, 'src/cli.ts'),
    ],
    { cwd: root, timeout: 180_000 },
  ).catch(() => undefined);
  if (!existsSync(join(tmp, 'src/cli.js'))) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error('compiling src/cli.ts produced no src/cli.js');
  }
  await copyFile(join(root, 'package.json'), join(tmp, 'package.json'));
  await symlink(join(root, 'node_modules'), join(tmp, 'node_modules'));
  await symlink(join(root, 'suites'), join(tmp, 'suites')).catch(() => undefined);
  await writeFile(join(tmp, 'BUILT'), new Date().toISOString());
  // Another test file may have finished the same build first: then use theirs.
  await rename(tmp, final).catch(async () => rm(tmp, { recursive: true, force: true }));
  return cli;
}
