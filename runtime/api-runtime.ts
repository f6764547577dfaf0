// The one composition root of an API process: the pool, the Temporal client, the background
// services (callback relay, event notifier, webhook dispatcher, outcome collector) and the Fastify
// server, with start and stop in the right order. api/server.ts runs it; the test stack
// (test/helpers/stack.ts) runs the same one with test settings.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/build.js';
import type { Config } from '../config/index.js';
import { createPool, type Pool } from '../db/pool.js';
import { createLogger, logFormat, type Logger } from '../logging/logger.js';
import { allCallbackEndpoints, createProviderRegistry, type ProviderRegistry } from '../providers/registry.js';
import { EventNotifier } from '../services/event-notifier.js';
import { OutcomeCollector } from '../services/outcome-collector.js';
import { Relay } from '../services/relay.js';
import { WebhookDispatcher } from '../services/webhooks/dispatcher.js';
import { createTemporalClient } from '../temporal/connect.js';
import { InFlightCalls } from '../temporal/in-flight-calls.js';
import { temporalTarget } from '../temporal/target.js';

export interface ApiRuntimeOverrides {
  /** Default: a logger from LOG_LEVEL and LOG_FORMAT named kurir-api. */
  logger?: Logger;
  /** Connect to Temporal now instead of on the first call (the API otherwise starts while Temporal is down and answers 503). */
  eagerTemporal?: boolean;
  /** The provider clients the API calls itself, read at each use (tests swap them once their sandboxes listen). */
  providers?: () => ProviderRegistry;
  relaySweepMs?: number;
  /** false: no webhook dispatcher in this process. */
  webhooks?: false | { sweepMs?: number };
  /** How long stop() waits for Temporal calls in flight (default 5 s). */
  shutdownWaitMs?: number;
}

export interface ApiRuntime {
  logger: Logger;
  pool: Pool;
  temporal: Client;
  server: FastifyInstance;
  relay: Relay;
  webhooks?: WebhookDispatcher;
  /** Starts the background services, then listens (default HOST:PORT); the URL it listens on. */
  start(listen?: { host: string; port: number }): Promise<string>;
  /** Stops listening, then the services; closes Temporal once no call is in flight, then the pool. */
  stop(): Promise<void>;
}

export async function createApiRuntime(config: Config, overrides: ApiRuntimeOverrides = {}): Promise<ApiRuntime> {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const logger =
    overrides.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'kurir-api', format: logFormat(config) });
  const providers = providerSource(config, overrides.providers);
  // Counts Temporal calls so the connection closes only once none is in flight (see in-flight-calls.ts).
  const inFlight = new InFlightCalls();
  const temporal = await createTemporalClient(temporalTarget(config), {
    lazy: !overrides.eagerTemporal,
    interceptors: inFlight.interceptors(),
  });
  const pool = createPool(config.DATABASE_URL);
  const callbackEndpoints = allCallbackEndpoints();
  const relay = new Relay({
    pool,
    temporal,
    endpoints: callbackEndpoints,
    optKeywords: { optOut: config.SUPPRESSION_OPT_OUT_KEYWORDS, optIn: config.SUPPRESSION_OPT_IN_KEYWORDS },
    logger: logger.child({ component: 'relay' }),
    sweepMs: overrides.relaySweepMs,
  });
  // Events: one LISTEN connection wakes SSE streams and the webhook dispatcher.
  const events = new EventNotifier({ pool, logger: logger.child({ component: 'events' }) });
  const webhooks =
    overrides.webhooks === false
      ? undefined
      : new WebhookDispatcher({
          pool,
          config,
          notifier: events,
          logger: logger.child({ component: 'webhooks' }),
          sweepMs: overrides.webhooks?.sweepMs,
        });
  const outcomes = new OutcomeCollector(temporal, config.TEMPORAL_TASK_QUEUE, logger.child({ component: 'metrics' }));
  const server = await buildServer(
    {
      config,
      pool,
      temporal,
      callbackEndpoints,
      relay,
      events,
      webhooks,
      outcomes,
      get providers() {
        return providers();
      },
    },
    logger,
  );

  return {
    logger,
    pool,
    temporal,
    server,
    relay,
    webhooks,
    async start(listen = { host: config.HOST, port: config.PORT }) {
      await relay.start();
      await events.start();
      webhooks?.start();
      await server.listen(listen);
      const address = server.server.address();
      return `http://${listen.host}:${typeof address === 'object' && address ? address.port : listen.port}`;
    },
    async stop() {
      await server.close();
      await relay.stop();
      await webhooks?.stop();
      await events.stop();
      await inFlight.idle(overrides.shutdownWaitMs ?? 5_000);
      await temporal.connection.close().catch(() => undefined);
      await pool.end();
    },
  };
}

function providerSource(config: Config, override?: () => ProviderRegistry): () => ProviderRegistry {
  if (override) return override;
  const registry = createProviderRegistry(config);
  return () => registry;
}
