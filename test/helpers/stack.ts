// A real kurir stack for integration tests: the harness's Temporal dev server and database,
// the API listening on a free port (so sandboxes can call back), the relay, the provider
// sandboxes, and a worker on a task queue of its own.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { startMessage } from '../../client/start-message.js';
import { loadConfig, type Config } from '../../config/index.js';
import { createPool, type Pool } from '../../db/pool.js';
import { after, before } from 'node:test';
import { pino } from 'pino';
import { REDACT_PATHS } from '../../logging/logger.js';
import { recordingAccessTokens } from '../../db/provider-access-tokens.js';
import { createProviderRegistry, PROVIDERS } from '../../providers/registry.js';
import { sandboxEnvironment, startSandboxes, type RunningSandboxes } from '../../sandboxes/index.js';
import { createApiRuntime } from '../../runtime/api-runtime.js';
import { spawnSandboxes } from './sandbox-process.js';
import { messageInputSchema, type MessageInputRaw } from '../../schemas/message.js';
import type { Relay } from '../../services/relay.js';
import { countingUnparsedLookups } from '../../services/metrics.js';
import type { WebhookDispatcher } from '../../services/webhooks/dispatcher.js';
import { connectionOptions } from '../../temporal/connect.js';
import { temporalTarget } from '../../temporal/target.js';
import { createKurirWorkers, activitySettings, type KurirWorkers } from '../../workers/create-worker.js';
import { installRuntime } from '../../workers/runtime.js';

export interface Stack {
  config: Config;
  pool: Pool;
  client: Client;
  api: FastifyInstance;
  apiUrl: string;
  relay: Relay;
  /** Outbound webhooks, with `webhooks: true` only: test files share one database, and another file's
   * dispatcher (other WEBHOOK_* settings) must not deliver this file's events. */
  webhooks?: WebhookDispatcher;
  /** `prioritized`: started by `sandboxProcess`, at the priority asked for. */
  sandboxes: RunningSandboxes & { prioritized?: boolean };
  taskQueue: string;
  startWorker(): Promise<KurirWorkers>;
  stopWorker(): Promise<void>;
  send(input: MessageInputRaw, id?: string): Promise<string>;
  stop(): Promise<void>;
}

export function requireHarness(): void {
  if (!process.env.TEMPORAL_ADDRESS || !process.env.DATABASE_URL || !process.env.KURIR_WORKFLOW_BUNDLE) {
    throw new Error('integration tests run under the harness: npm test (or npm run test:only -- <file>)');
  }
}

/** A pool on the harness's database for a test file that needs no stack: open before, closed after. */
export function useHarnessPool(): () => Pool {
  let pool: Pool | undefined;
  before(() => {
    requireHarness();
    pool = createPool(process.env.DATABASE_URL!);
  });
  after(async () => {
    await pool?.end();
  });
  return () => pool!;
}

/** Every log line of every stack in this process, for tests that scan logs for secrets. */
export const capturedLogs: string[] = [];

export async function startStack(
  opts: {
    env?: Record<string, string>;
    callbackDelayMs?: number;
    worker?: boolean;
    logLevel?: string;
    callbackRetryDelayMs?: number;
    webhooks?: boolean;
    /** Sandboxes in a child process at this priority (benchmarks): their logs are then read with fetchRequests. */
    sandboxProcess?: { priority: number };
  } = {},
): Promise<Stack> {
  requireHarness();
  const logger = pino(
    {
      level: opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'debug',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    {
      write: (line: string) => {
        capturedLogs.push(line);
        if (process.env.TEST_LOG_LEVEL) process.stderr.write(line);
      },
    },
  );
  installRuntime(logger);
  const taskQueue = `test-${randomUUID()}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SANDBOX_CALLBACK_DELAY_MS: String(opts.callbackDelayMs ?? 30),
    // Every test file sends OTPs from 127.0.0.1 with dev-key into one database that outlives a run:
    // the OTP guard's per-address and per-key windows would fill up across files. Its own test sets them.
    OTP_LIMIT_PER_IP: 'off',
    OTP_LIMIT_PER_API_KEY: 'off',
    ...opts.env,
  };
  let config = loadConfig(env);
  // The API's provider clients point at this stack's sandboxes, which start once the API listens.
  let providers = createProviderRegistry(config);
  // The production composition with test settings. KURIR_ENCRYPTION_KEY in opts.env: the stack's
  // client, API and worker all use the payload codec.
  const runtime = await createApiRuntime(config, {
    logger,
    eagerTemporal: true,
    providers: () => providers,
    relaySweepMs: 200,
    webhooks: opts.webhooks ? { sweepMs: 50 } : false,
    shutdownWaitMs: 10_000,
  });
  const { pool, temporal: client, server: api, relay, webhooks } = runtime;
  const apiUrl = await runtime.start({ host: '127.0.0.1', port: 0 });
  const sandboxes = opts.sandboxProcess
    ? await spawnSandboxes(env, apiUrl, opts.sandboxProcess.priority)
    : await startSandboxes(config, apiUrl, {
        ephemeralPorts: true,
        all: true,
        callbackRetryDelayMs: opts.callbackRetryDelayMs,
      });
  // The same settings, now with the sandboxes' addresses.
  config = loadConfig({ ...env, ...sandboxEnvironment(sandboxes) });
  providers = createProviderRegistry(config);

  let native: NativeConnection | undefined;
  let worker: KurirWorkers | undefined;
  let running: Promise<void> | undefined;
  const stack: Stack = {
    config,
    pool,
    client,
    api,
    apiUrl,
    relay,
    webhooks,
    sandboxes,
    taskQueue,
    async startWorker() {
      native ??= await NativeConnection.connect(connectionOptions(temporalTarget(config)));
      worker = await createKurirWorkers({
        connection: native,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue,
        pool,
        rateLimits: config.PROVIDER_RATE_LIMITS,
        providers: createProviderRegistry(config, PROVIDERS, {
          ...recordingAccessTokens(pool),
          ...countingUnparsedLookups,
        }),
        workflowBundlePath: process.env.KURIR_WORKFLOW_BUNDLE,
        ...activitySettings(config),
        encryptionKey: config.KURIR_ENCRYPTION_KEY,
      });
      running = worker.run();
      return worker;
    },
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async send(input, id = `msg_test_${randomUUID()}`) {
      await startMessage(client, messageInputSchema.parse(input), {
        id,
        taskQueue,
        recipientHashKey: config.RECIPIENT_HASH_KEY,
      });
      return id;
    },
    async stop() {
      await stack.stopWorker();
      // installRuntime started the Temporal Runtime, which keeps the process alive until its last
      // native object closes: with no in-process worker there was none, so open one to close it.
      native ??= await NativeConnection.connect(connectionOptions(temporalTarget(config)));
      await native.close();
      await runtime.stop();
      await sandboxes.close();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}
