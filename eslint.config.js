// Lint rules, and the import rules that keep Parley's runtime layers apart:
//   main/core  plain Node: never electron, never the shell, the renderer or the preload
//   renderer   a sandboxed web page: never node:*, electron, main/ or preload/ code
//   shared     the contract both sides use: only shared/ (and pure libraries)
//   preload    only electron's renderer-side modules and shared/
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['main/core/**'],
    rules: restrict([
      {
        group: ['electron', 'electron/*'],
        message: 'main/core is plain Node: only main/shell and main/index.ts may use electron.',
      },
      {
        group: ['**/shell/**', '**/renderer/**', '**/preload/**', '**/cli/**'],
        message: 'main/core must not depend on the shell, the CLI, the renderer or the preload.',
      },
    ]),
  },
  {
    files: ['main/cli/**'],
    rules: restrict([
      { group: ['electron', 'electron/*'], message: 'The CLI runs in plain Node.' },
      {
        group: ['**/shell/**', '**/renderer/**', '**/preload/**'],
        message: 'The CLI builds on main/core only.',
      },
    ]),
  },
  {
    files: ['renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict([
        { group: nodeBuiltins, message: 'The renderer is a sandboxed web page: no Node modules.' },
        {
          group: ['electron', 'electron/*'],
          message: 'The renderer talks to the node only through window.parley.',
        },
        {
          group: ['**/main/**', '**/preload/**'],
          message: 'The renderer may import only renderer/ and shared/.',
        },
      ]),
    },
  },
  {
    files: ['shared/**'],
    rules: restrict([
      { group: nodeBuiltins, message: 'shared/ runs on both sides: no Node modules.' },
      { group: ['electron', 'electron/*'], message: 'shared/ must not depend on electron.' },
      {
        group: ['**/main/**', '**/renderer/**', '**/preload/**'],
        message: 'shared/ imports only shared/.',
      },
    ]),
  },
  {
    // Tests of shared/ run in Node (Vitest) and may read files.
    files: ['shared/**/*.test.ts'],
    rules: restrict([
      {
        group: ['**/main/**', '**/renderer/**', '**/preload/**'],
        message: 'shared/ imports only shared/.',
      },
    ]),
  },
  {
    files: ['preload/**'],
    rules: restrict([
      {
        group: ['**/main/**', '**/renderer/**'],
        message: 'The preload may import only electron and shared/.',
      },
    ]),
  },
);
