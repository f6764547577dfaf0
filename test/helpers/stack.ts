// A real kurir stack for integration tests: the harness's Temporal dev server and database,
// the API listening on a free port (so sandboxes can call back), the relay, the provider
// sandboxes, and a worker on a task queue of its own.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../api/build.js';
import { Relay } from '../../api/relay.js';
import { startMessage } from '../../client/start-message.js';
import { loadConfig, type Config } from '../../config/index.js';
import { createPool, type Pool } from '../../db/pool.js';
import { pino } from 'pino';
import { REDACT_PATHS } from '../../logging/logger.js';
import { allCallbackEndpoints, createProviderRegistry } from '../../providers/registry.js';
import { sandboxEnvironment, startSandboxes, type RunningSandboxes } from '../../providers/sandboxes.js';
import { messageInputSchema, type MessageInputRaw } from '../../schemas/message.js';
import { createKurirWorker, otpSettings } from '../../workers/create-worker.js';
import { installRuntime } from '../../workers/runtime.js';

export interface Stack {
  config: Config;
  pool: Pool;
  client: Client;
  api: FastifyInstance;
  apiUrl: string;
  relay: Relay;
  sandboxes: RunningSandboxes;
  taskQueue: string;
  startWorker(): Promise<Worker>;
  stopWorker(): Promise<void>;
  send(input: MessageInputRaw, id?: string): Promise<string>;
  stop(): Promise<void>;
}

export function requireHarness(): void {
  if (!process.env.TEMPORAL_ADDRESS || !process.env.DATABASE_URL || !process.env.KURIR_WORKFLOW_BUNDLE) {
    throw new Error('integration tests run under the harness: npm test (or npm run test:only -- <file>)');
  }
}

/** Every log line of every stack in this process, for tests that scan logs for secrets. */
export const capturedLogs: string[] = [];

export async function startStack(opts: { env?: Record<string, string>; callbackDelayMs?: number; worker?: boolean; logLevel?: string } = {}): Promise<Stack> {
  requireHarness();
  const logger = pino({ level: opts.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    { write: (line: string) => { capturedLogs.push(line); if (process.env.TEST_LOG_LEVEL) process.stderr.write(line); } });
  installRuntime(logger);
  const taskQueue = `test-${randomUUID()}`;
  let config = loadConfig({ ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, SANDBOX_CALLBACK_DELAY_MS: String(opts.callbackDelayMs ?? 30), ...opts.env });
  const pool = createPool(config.DATABASE_URL!);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const callbackEndpoints = allCallbackEndpoints();
  const relay = new Relay({ pool, temporal: client, endpoints: callbackEndpoints, logger, sweepMs: 200 });
  // The API's provider clients point at this stack's sandboxes, which start once the API listens.
  let providers = createProviderRegistry(config);
  const api = await buildServer({ config, pool, temporal: client, callbackEndpoints, relay, get providers() { return providers; } }, logger);
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await relay.start();
  const sandboxes = await startSandboxes(config, apiUrl, { ephemeralPorts: true, all: true });
  config = loadConfig({ ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, ...opts.env, ...sandboxEnvironment(sandboxes) });
  providers = createProviderRegistry(config);

  let native: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const stack: Stack = {
    config, pool, client, api, apiUrl, relay, sandboxes, taskQueue,
    async startWorker() {
      native ??= await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
      worker = await createKurirWorker({
        connection: native, namespace: config.TEMPORAL_NAMESPACE, taskQueue, pool,
        providers: createProviderRegistry(config), workflowBundlePath: process.env.KURIR_WORKFLOW_BUNDLE, ...otpSettings(config),
      });
      running = worker.run();
      return worker;
    },
    async stopWorker() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      worker = undefined;
    },
    async send(input, id = `msg_test_${randomUUID()}`) {
      await startMessage(client, messageInputSchema.parse(input), { id, taskQueue });
      return id;
    },
    async stop() {
      await stack.stopWorker();
      await native?.close();
      await relay.stop();
      await api.close();
      await sandboxes.close();
      await connection.close();
      await pool.end();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) { last = err; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
