// `npm run build`: what production runs with plain node, in dist/ (or `--out-dir <dir>`, which
// must lie inside the project so node finds package.json's "type" and node_modules):
//   - the server compiled by tsc (tsconfig.build.json: no tests, benchmarks or dashboard sources),
//   - the workflow bundle (workflow-bundle.js) that the compiled worker loads instead of bundling
//     at start (workers/create-worker.ts, prebuiltWorkflowBundle),
//   - the files the compiled code reads next to itself: db/migrations and the dashboard (ui/dist,
//     built by Vite first when it is missing or stale; `--skip-ui` leaves ui/dist as it is, for a
//     test that must not race the dashboard test's own build).
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureUiBuilt } from './build-ui.js';
import { PROJECT_ROOT } from './paths.js';
import { workflowWebpackConfigHook } from '../workers/workflow-bundler-options.js';

const { values } = parseArgs({
  options: { 'out-dir': { type: 'string', default: 'dist' }, 'skip-ui': { type: 'boolean', default: false } },
});
const outDir = resolve(PROJECT_ROOT, values['out-dir']);
if (relative(PROJECT_ROOT, outDir).startsWith('..')) throw new Error(`--out-dir must be inside ${PROJECT_ROOT}`);
const log = (line: string) => process.stdout.write(`${line}\n`);
const timed = async (what: string, fn: () => unknown) => {
  const started = Date.now();
  await fn();
  log(`${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};

// A file deleted from the sources must not live on in the build.
rmSync(outDir, { recursive: true, force: true });
if (!values['skip-ui']) await timed('dashboard checked (ui/dist)', () => ensureUiBuilt(log));
await timed(`compiled with tsc into ${relative(PROJECT_ROOT, outDir)}/`, () => {
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
});
cpSync(join(PROJECT_ROOT, 'db', 'migrations'), join(outDir, 'db', 'migrations'), { recursive: true });
if (existsSync(join(PROJECT_ROOT, 'ui', 'dist', 'index.html'))) {
  cpSync(join(PROJECT_ROOT, 'ui', 'dist'), join(outDir, 'ui', 'dist'), { recursive: true });
} else {
  log('the dashboard is not built (no vite?): /ui will answer 503');
}
await timed('bundled the workflows into workflow-bundle.js', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(PROJECT_ROOT, 'workflows', 'index.ts'),
    workflowInterceptorModules: [join(PROJECT_ROOT, 'workflows', 'activation-guard.ts')],
    webpackConfigHook: workflowWebpackConfigHook,
    logger: new DefaultLogger('WARN'),
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'workflow-bundle.js'), code);
});
