// The scripts tests run as real child processes (the CLI, the daemon entry, the crash child),
// compiled with tsc — no TS runner is installed, and SIGKILL needs a real process. One tsc run
// compiles every entry into node_modules/.cache/mesh-soak-built/<key>, keyed by the sizes and
// mtimes of the sources, so all test files share one build per source state and a stale dist/
// never hides a change. Old builds are pruned (newest few kept) so the cache does not grow
// forever. tsc still emits when unrelated in-progress files have type errors; only a missing
// output is a failure.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
const cacheDir = join(root, 'node_modules/.cache/mesh-soak-built');

/** Every script a test runs as a child process; all are compiled together. */
const ENTRIES = [
  'src/cli.ts',
  // Loaded by the demo command through a computed path, so tsc would not follow it from cli.ts.
  'simulator/demo-command.ts',
  'simulator/local/daemon-entry.ts',
  'test/integration/suites/crash-child.ts',
] as const;
export type BuiltEntry = (typeof ENTRIES)[number];

/** Builds kept besides the one in use; a build used within GRACE_MS is never pruned. */
const KEEP = 3;
const GRACE_MS = 30 * 60_000;
const MARKER = 'BUILT';

/** Covers src/ and test/ helpers (an entry may import them); test files themselves cannot matter. */
async function sourceKey(): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const s = await stat(p);
        hash.update(`${p}:${s.size}:${s.mtimeMs}\n`);
      }
    }
  };
  // The build dir's layout (what is linked beside it): bump when it changes.
  hash.update('layout:2 suites examples\n');
  await walk(join(root, 'src'));
  await walk(join(root, 'test'));
  await walk(join(root, 'simulator'));
  const pkg = await stat(join(root, 'package.json'));
  hash.update(`package.json:${pkg.size}:${pkg.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

const jsOf = (dir: string, entry: BuiltEntry): string => join(dir, entry.replace(/\.ts$/, '.js'));

async function compileInto(tmp: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck',
      '--types', 'node', '--rootDir', root, '--outDir', tmp, '--resolveJsonModule',
      ...ENTRIES.map((e) => join(root, e)),
    ],
    { cwd: root, timeout: 480_000 },
  ).catch((err: { killed?: boolean; signal?: string | null }) => {
    // A non-zero exit is type errors (it still emitted); a kill is not.
    if (err.killed || err.signal) throw new Error(`tsc did not finish: ${String(err.signal ?? 'killed')}`);
  });
  const missing = ENTRIES.filter((e) => !existsSync(jsOf(tmp, e)));
  if (missing.length > 0) throw new Error(`compiling produced no output for ${missing.join(', ')}`);
  await copyFile(join(root, 'package.json'), join(tmp, 'package.json'));
  await symlink(join(root, 'node_modules'), join(tmp, 'node_modules'));
  // The built-in suites are found next to package.json.
  await symlink(join(root, 'suites'), join(tmp, 'suites'));
  await symlink(join(root, 'examples'), join(tmp, 'examples'));
  await writeFile(join(tmp, MARKER), new Date().toISOString());
}

/** Removes builds beyond the newest KEEP (by last use) and abandoned temp dirs, never a recent one. */
async function prune(): Promise<void> {
  const now = Date.now();
  const builds: { dir: string; usedMs: number }[] = [];
  for (const name of await readdir(cacheDir)) {
    const dir = join(cacheDir, name);
    const usedMs = await stat(name.startsWith('build-') ? dir : join(dir, MARKER)).then((s) => s.mtimeMs, () => 0);
    if (name.startsWith('build-')) {
      if (now - usedMs > GRACE_MS) await rm(dir, { recursive: true, force: true });
    } else builds.push({ dir, usedMs });
  }
  builds.sort((a, b) => b.usedMs - a.usedMs);
  for (const b of builds.slice(KEEP)) {
    if (now - b.usedMs > GRACE_MS) await rm(b.dir, { recursive: true, force: true });
  }
}

async function build(): Promise<string> {
  const final = join(cacheDir, await sourceKey());
  if (existsSync(join(final, MARKER))) {
    const now = new Date();
    await utimes(join(final, MARKER), now, now); // marks it in use, so prune() spares it
    return final;
  }
  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, 'build-'));
  try {
    await compileInto(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  // Another test file may have finished the same build first: then use theirs.
  await rename(tmp, final).catch(async () => rm(tmp, { recursive: true, force: true }));
  if (!existsSync(join(final, MARKER))) throw new Error(`no build at ${final}`);
  await prune();
  return final;
}

let building: Promise<string> | undefined;

/** Absolute path of the compiled `entry`, built if the sources changed since the last build. */
export async function builtScript(entry: BuiltEntry): Promise<string> {
  building ??= build().finally(() => (building = undefined));
  return jsOf(await building, entry);
}

/** Absolute path of the compiled src/cli.js (run it with process.execPath). */
export function builtCli(): Promise<string> {
  return builtScript('src/cli.ts');
}
