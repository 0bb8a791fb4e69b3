// Lint: typescript-eslint's recommended rules, plus the rules that keep the architecture
// (README "Map of the code"): no import cycles anywhere in src/ and simulator/; the pure core
// (src/checks/) imports nothing outside itself; nothing in src/ imports test/, bench/ or the
// simulator (the demo command loads it by a computed path); functions in src/ stay short.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const OUTSIDE_PRODUCT = ['**/test/**', '**/bench/**', '**/simulator/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'grafana/**', 'deploy/**', 'charts/**', '.tools/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'simulator/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: OUTSIDE_PRODUCT, message: 'src/ is the product: it never imports test/, bench/ or the simulator.' }] }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['src/checks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*', '../**', ...OUTSIDE_PRODUCT], message: 'src/checks/ is the pure core: it imports nothing outside itself.' }] },
      ],
    },
  },
);
