// `npm run build` → what production runs: the compiled worker, API, migrations and CLI start with
// plain node (no tsx loader), and the compiled worker runs workflows from the prebuilt bundle.
// The build goes to a folder of its own under .kurir/ (dist/ may be a developer's, or `npm pack`'s).
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEV_SECRETS } from '../config/production-secrets.js';
import { PROVIDER_NAMES } from '../providers/registry.js';
import { sandboxEnvironment } from '../sandboxes/index.js';
import { PROJECT_ROOT, STATE_DIR } from '../scripts/paths.js';
import { freePort } from '../scripts/temporal.js';
import type { MessageResult } from '../workflows/types.js';
import { scriptedNumber } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

const OUT = join(STATE_DIR, 'test', `build-${process.pid}`);
const children: ChildProcess[] = [];
let stack: Stack;

/** Production encrypts payloads: the test stack's client uses the same key as the compiled worker. */
const ENCRYPTION_KEY = `k1:${randomBytes(32).toString('base64')}`;
/** Production refuses the development secrets (config/production-secrets.ts): these are the operator's own. */
const OWN_SECRETS: Record<string, string> = {
  ...Object.fromEntries(Object.keys(DEV_SECRETS).map((name) => [name, randomBytes(32).toString('hex')])),
  KURIR_ENCRYPTION_KEY: ENCRYPTION_KEY,
  // The providers run against the test's sandboxes: production refuses sandbox mode unless allowed.
  PROVIDER_SANDBOX_ALLOWED: PROVIDER_NAMES.join(','),
};

/** The environment of a production process: no tsx preload, no test bundle, the stack's services. */
function productionEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, KURIR_WORKFLOW_BUNDLE: _bundle, ...env } = process.env;
  return { ...env, NODE_ENV: 'production', LOG_LEVEL: 'info', PRETTY_LOGS: 'false', ...OWN_SECRETS, ...extra };
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: PROJECT_ROOT, env, timeout: 300_000, maxBuffer: 10_000_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`node ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** A long-running compiled entry, its output collected. */
function start(entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [join(OUT, entry)], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  children.push(child);
  return { child, output: () => out };
}

before(async () => {
  stack = await startStack({ logLevel: 'warn', worker: false, env: { KURIR_ENCRYPTION_KEY: ENCRYPTION_KEY } });
  // The build script is TypeScript (tsx), like npm run build; what it writes runs without tsx.
  await run(['--import', 'tsx', 'scripts/build.ts', '--out-dir', relative(PROJECT_ROOT, OUT), '--skip-ui']);
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await stack?.stop();
  rmSync(OUT, { recursive: true, force: true });
});

describe('npm run build', () => {
  test('writes the compiled entries, the migrations and the workflow bundle', () => {
    for (const f of [
      'workers/main.js',
      'api/server.js',
      'db/migrate-cli.js',
      'cli/main.js',
      'workflow-bundle.js',
      'db/migrations/001_init.sql',
    ]) {
      assert.ok(existsSync(join(OUT, f)), f);
    }
    assert.ok(!existsSync(join(OUT, 'test')) && !existsSync(join(OUT, 'bench')), 'no tests or benchmarks in the build');
  });

  test('the compiled worker finds the prebuilt bundle next to it', async () => {
    const url = new URL(`file://${join(OUT, 'workers', 'create-worker.js')}`).href;
    const out = await run(
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); console.log(m.prebuiltWorkflowBundle() ?? 'none')`,
      ],
      productionEnv(),
    );
    assert.equal(out.trim(), join(OUT, 'workflow-bundle.js'));
  });

  test('migrations and the CLI run compiled', async () => {
    assert.match(await run([join(OUT, 'db', 'migrate-cli.js')], productionEnv()), /schema is up to date/);
    assert.match(await run([join(OUT, 'cli', 'main.js'), '--help'], productionEnv()), /Usage: kurir/);
  });

  test(
    'node dist/workers/main.js runs a message to its result from the prebuilt bundle',
    { timeout: 120_000 },
    async () => {
      const worker = start(
        'workers/main.js',
        productionEnv({ TEMPORAL_TASK_QUEUE: stack.taskQueue, ...sandboxEnvironment(stack.sandboxes) }),
      );
      const id = await stack.send({
        to: scriptedNumber(),
        steps: [{ channel: 'sms', provider: 'sms-masking', text: 'compiled' }],
      });
      const result = (await stack.client.workflow.getHandle(id).result()) as MessageResult;
      assert.ok(['delivered', 'read'].includes(result.outcome), result.outcome);
      assert.match(worker.output(), /worker started/);
      // Bundling at start logs "Workflow bundle created"; the prebuilt bundle skips it.
      assert.doesNotMatch(worker.output(), /bundle created/i);
    },
  );

  test('node dist/api/server.js listens and answers /healthz', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const api = start('api/server.js', productionEnv({ HOST: '127.0.0.1', PORT: String(port) }));
    let health: Response | undefined;
    for (let i = 0; i < 200 && !health; i++) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(health, `the API listens: ${api.output()}`);
    assert.equal(health.status, 200, await health.text());
  });
});
