// Type-aware rules where they catch real daemon bugs (a lost promise rejection above all),
// plus a boundary rule: packages depend on core (and client's types), never sideways.
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

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'buildpacks/**', 'e2e/results/**', 'bench/results/**'] },
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
  { files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'], rules: sideways(['core']) },
  // The runtime's Docker tests make the stack image they run in, as paasd would.
  { files: ['packages/runtime/test/**/*.ts'], rules: sideways(['core', 'stack']) },
  { files: ['packages/client/**/*.ts'], rules: sideways(['core']) },
  { files: ['apps/cli/**/*.ts'], rules: sideways(['core', 'client']) },
  // The CLI's tests start a real paasd and clean up after its processes as paasd would.
  { files: ['apps/cli/test/**/*.ts'], rules: sideways(['core', 'client', 'runtime']) },
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
