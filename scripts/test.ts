// `npm test` runs lint and typecheck, then this: the harness (one Temporal dev server, one fresh
// database, one workflow bundle) and node's test runner over every *.test.ts (or the files and
// folders given as arguments).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { withHarness } from './harness.js';
import { PROJECT_ROOT } from './paths.js';

const log = (l: string) => process.stderr.write(`[test] ${l}\n`);
const SKIP_DIRS = new Set(['node_modules', '.git', '.kurir', 'dist']);

function findTests(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .filter((n) => !SKIP_DIRS.has(n))
    .flatMap((n) => findTests(join(path, n)));
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : [PROJECT_ROOT])
  .flatMap((t) => findTests(t))
  .map((f) => relative(PROJECT_ROOT, f))
  .sort();
if (files.length === 0) {
  log('no test files found');
  process.exit(1);
}

// Written by test/helpers/late-errors.mjs, preloaded into every test file's process.
const lateErrors = join(PROJECT_ROOT, 'test', 'artifacts', 'late-errors.log');
rmSync(lateErrors, { force: true });
const code = await withHarness(
  log,
  (h) =>
    new Promise<number>((resolve) => {
      const preload = ['--import', 'tsx', '--import', './test/helpers/late-errors.mjs'];
      const child = spawn(process.execPath, [...preload, '--test', '--test-reporter=spec', ...files], {
        cwd: PROJECT_ROOT,
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'test', KURIR_LATE_ERRORS_LOG: lateErrors, ...h.env },
      });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
    }),
);
// Errors a test file's process raised outside any test: the runner's own report only says "test failed".
if (existsSync(lateErrors))
  log(`errors raised outside tests (${relative(PROJECT_ROOT, lateErrors)}):\n${readFileSync(lateErrors, 'utf8')}`);
process.exit(code);
