// Where the repository and its build are, whether a bench module runs from dist/bench/lib/
// (the normal way: `node dist/bench/X.js`) or is imported from source.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const root = existsSync(join(here, '..', '..', 'package.json')) ? resolve(here, '..', '..') : resolve(here, '..', '..', '..');

/** The tsc output folder (dist/), holding src/, bench/ and test/. */
export const distDir = join(root, 'dist');

/** The file the daemon benchmarks append their results to. */
export const resultsFile = join(root, 'bench', 'RESULTS.md');
