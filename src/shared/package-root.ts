// Where mesh-soak's own files are (package.json, the built-in suites/): found by walking up
// from this module, so it works from src/ under vitest and from dist/src/ when built.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('mesh-soak: cannot find package.json above ' + fileURLToPath(import.meta.url));
}

export const packageRoot = findRoot();
export const packageVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
