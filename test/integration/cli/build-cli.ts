// Builds src/cli.ts (and what it imports, lazily loaded commands included) with tsc into a
// temp dir, so a test runs the command line as a user does, in its own process.

import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');

export interface BuiltCli {
  cli: string;
  cleanup(): Promise<void>;
}

export async function buildCli(): Promise<BuiltCli> {
  const dir = await mkdtemp(join(tmpdir(), 'mesh-soak-cli-build-'));
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const args = [
    tsc, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck',
    '--types', 'node', '--rootDir', root, '--outDir', dir, '--noEmitOnError', 'false', '--resolveJsonModule',
    join(root, 'src/cli.ts'),
  ];
  // tsc exits non-zero on type errors in others' in-progress files but still emits.
  await run(process.execPath, args, { cwd: root, timeout: 180_000 }).catch(() => undefined);
  await copyFile(join(root, 'package.json'), join(dir, 'package.json'));
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  // The built-in suites are found next to package.json.
  await symlink(join(root, 'suites'), join(dir, 'suites'));
  return { cli: join(dir, 'src/cli.js'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
