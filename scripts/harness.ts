// The real infrastructure tests and benchmarks run against: one Temporal dev server (in memory,
// free ports), one fresh PostgreSQL database (migrated), and the workflow bundle built once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { migrate } from '../db/migrate.js';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../workers/create-worker.js';
import { workflowWebpackConfigHook } from '../workers/workflow-bundler-options.js';
import { STATE_DIR } from './paths.js';
import { ensureTemporalBinary, freePort, startTemporalDevServer, type DevServer } from './temporal.js';
import { createTestDatabase } from './test-database.js';

export interface Harness {
  temporal: DevServer;
  databaseUrl: string;
  bundlePath: string;
  /** The environment a child process (test runner, worker) needs to use this harness. */
  env: Record<string, string>;
}

export async function withHarness<T>(log: (l: string) => void, fn: (h: Harness) => Promise<T>): Promise<T> {
  const binary = await ensureTemporalBinary(log);
  const temporal = await startTemporalDevServer({
    binary,
    port: await freePort(),
    uiPort: await freePort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTES,
  });
  log(`Temporal dev server at ${temporal.address}`);
  try {
    const db = await createTestDatabase(log);
    try {
      await migrate(db.url);
      log(`database ${new URL(db.url).pathname.slice(1)} migrated`);
      const bundle = await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
        webpackConfigHook: workflowWebpackConfigHook,
        logger: new DefaultLogger('WARN'),
      });
      mkdirSync(join(STATE_DIR, 'test'), { recursive: true });
      const bundlePath = join(STATE_DIR, 'test', `workflow-bundle-${process.pid}.js`);
      writeFileSync(bundlePath, bundle.code);
      // Workers the tests spawn leave the retention schedule alone: a scheduled run would prune the
      // one test database under the retention test (which drives its own schedule ids).
      const env = {
        TEMPORAL_ADDRESS: temporal.address,
        DATABASE_URL: db.url,
        KURIR_WORKFLOW_BUNDLE: bundlePath,
        RETENTION_SCHEDULE: 'off',
        // Off by default already; a developer's setting must not poll from spawned test workers either.
        SMS_MASKING_INBOX_POLL: 'off',
      };
      return await fn({ temporal, databaseUrl: db.url, bundlePath, env });
    } finally {
      await db.drop().catch((err: unknown) => log(`could not drop the test database: ${String(err)}`));
    }
  } finally {
    await temporal.stop();
  }
}
