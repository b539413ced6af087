// Type-aware rules where they catch real daemon bugs (a lost promise rejection above all),
// plus a boundary rule: packages depend on core (and client's types), never sideways.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';

import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const sideways = (allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: `^@paas/(?!(${allowed.join('|')})$)`,
          message: 'Packages import only @paas/core (and @paas/client types); apps/paasd wires packages together.',
        },
      ],
    },
  ],
});

// Lint reads source, never what running the platform or its tests writes: the default data dir
// (its build caches hold npm's own JavaScript), the one PAAS_DATA_DIR names when it is inside
// the repository, any other top-level directory holding a paas database, and results.
const root = import.meta.dirname;
const inRepo = (dir) => {
  const path = relative(root, resolve(root, dir));
  return path !== '' && !path.startsWith('..') && !isAbsolute(path) ? path.split('\\').join('/') : undefined;
};
// paasd reads a .env file in its working directory too.
const dotEnv = existsSync(join(root, '.env')) ? parseEnv(readFileSync(join(root, '.env'), 'utf8')) : {};
const dataDirs = [
  process.env.PAAS_DATA_DIR?.trim() || undefined,
  dotEnv.PAAS_DATA_DIR?.trim() || undefined,
  ...readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules' && existsSync(join(root, entry.name, 'paas.db')))
    .map((entry) => entry.name),
]
  .map((dir) => dir && inRepo(dir))
  .filter((dir) => dir !== undefined);
const runtimeOutput = ['.paas-data/**', '**/.paas-data/**', 'e2e/results/**', 'bench/results/**', '**/test-results/**', ...dataDirs.map((dir) => `${dir}/**`)];

export default tseslint.config(
  { ignores: ['fixtures/**', '**/dist/**', '**/node_modules/**', 'buildpacks/**', ...runtimeOutput] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test collects these itself; awaiting them at top level would serialise nothing.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      // Fastify handlers and hooks are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'], rules: sideways(['core', 'core/idle-heap']) },
  // The runtime's Docker tests make the stack image they run in, as paasd would.
  { files: ['packages/runtime/test/**/*.ts'], rules: sideways(['core', 'stack']) },
  { files: ['packages/client/**/*.ts'], rules: sideways(['core']) },
  { files: ['apps/cli/**/*.ts'], rules: sideways(['core', 'client']) },
  // The CLI's tests start a real paasd and clean up after its processes as paasd would.
  { files: ['apps/cli/test/**/*.ts'], rules: sideways(['core', 'client', 'runtime', 'runtime/testing']) },
  // The dashboard runs in the browser: DOM globals, and only types from core (no Node code ships to it).
  {
    files: ['apps/dashboard/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...sideways(['core']),
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['@paas/core'], allowTypeImports: true, message: 'The dashboard imports only types from @paas/core.' }] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
);
