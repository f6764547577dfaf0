// `npm test` runs lint and typecheck, then this: one Temporal dev server (in memory, free ports)
// and one fresh PostgreSQL database for the whole run, the workflow bundle built once, and
// node's test runner over every *.test.ts (or the files/folders given as arguments).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../client/search-attributes.js';
import { migrate } from '../db/migrate.js';
import { WORKFLOWS_PATH } from '../workers/create-worker.js';
import { PROJECT_ROOT, STATE_DIR } from './paths.js';
import { ensureTemporalBinary, freePort, startTemporalDevServer } from './temporal.js';
import { createTestDatabase } from './test-database.js';

const log = (l: string) => process.stderr.write(`[test] ${l}\n`);
const SKIP_DIRS = new Set(['node_modules', '.git', '.kurir', 'dist']);

function findTests(path: string): string[] {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path).filter((n) => !SKIP_DIRS.has(n)).flatMap((n) => findTests(join(path, n)));
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : [PROJECT_ROOT]).flatMap((t) => findTests(t)).map((f) => relative(PROJECT_ROOT, f)).sort();
if (files.length === 0) { log('no test files found'); process.exit(1); }

const binary = await ensureTemporalBinary(log);
const temporal = await startTemporalDevServer({
  binary, port: await freePort(), uiPort: await freePort(), headless: true, searchAttributes: SEARCH_ATTRIBUTES,
});
log(`Temporal dev server at ${temporal.address}`);
const db = await createTestDatabase(log);
let code = 1;
try {
  await migrate(db.url);
  log(`database ${new URL(db.url).pathname.slice(1)} migrated`);
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const bundleDir = join(STATE_DIR, 'test');
  mkdirSync(bundleDir, { recursive: true });
  const bundlePath = join(bundleDir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, bundle.code);
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      cwd: PROJECT_ROOT, stdio: 'inherit',
      env: {
        ...process.env, NODE_ENV: 'test', TEMPORAL_ADDRESS: temporal.address, DATABASE_URL: db.url,
        KURIR_WORKFLOW_BUNDLE: bundlePath, KURIR_TEST_RUN: String(process.pid),
      },
    });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
  });
} finally {
  await db.drop().catch((err: unknown) => log(`could not drop the test database: ${String(err)}`));
  await temporal.stop();
}
process.exit(code);
