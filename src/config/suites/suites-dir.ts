// Where suites come from: the `suites/` folder shipped at the package root
// (src/package-root.ts), the option or MESH_SOAK_SUITES_DIR, or a folder path written in
// the config.

import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../../shared/package-root.js';

/** The package's own suites/ folder. */
export function defaultSuitesDir(): string {
  return join(packageRoot, 'suites');
}

/** True when `use` names a folder rather than a shipped suite. */
export function isSuitePath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || isAbsolute(use);
}

/** The folder a config entry's `use` points at (which may not exist). */
export function suiteDirFor(use: string, configDir: string, suitesDir: string): string {
  return isSuitePath(use) ? resolve(configDir, use) : join(suitesDir, use);
}

export async function hasSuiteFile(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, 'suite.yaml'))).isFile();
  } catch {
    return false;
  }
}

/** Names of the suites in `suitesDir` (folders holding a suite.yaml), sorted. */
export async function listSuites(suitesDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(suitesDir);
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const name of entries.sort()) if (await hasSuiteFile(join(suitesDir, name))) names.push(name);
  return names;
}
