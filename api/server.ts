// API entry point: `npm run api` (started by `npm start`). Listens, runs the callback relay,
// and shuts down cleanly on SIGINT/SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { kurirDataConverter } from '../codec/data-converter.js';
import { loadConfigOrExit } from '../config/index.js';
import { createPool } from '../db/pool.js';
import { createLogger } from '../logging/logger.js';
import { allCallbackEndpoints, createProviderRegistry } from '../providers/registry.js';
import { connectionOptions } from '../workers/connection.js';
import { buildServer } from './build.js';
import { Relay } from './relay.js';
import { EventNotifier } from './events/event-notifier.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { InFlightCalls } from '../workers/in-flight-calls.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'kurir-api', pretty: config.PRETTY_LOGS });
if (!config.DATABASE_URL) {
  logger.fatal('DATABASE_URL is not set (npm start sets it for the embedded database)');
  process.exit(2);
}
const pool = createPool(config.DATABASE_URL);
// Lazy: the API starts and answers 503 while Temporal is down, instead of refusing to start.
const dataConverter = kurirDataConverter(config.KURIR_ENCRYPTION_KEY);
const inFlight = new InFlightCalls();
const temporal = new Client({ connection: Connection.lazy({ ...connectionOptions(config), interceptors: inFlight.interceptors() }), namespace: config.TEMPORAL_NAMESPACE, ...(dataConverter ? { dataConverter } : {}) });
const callbackEndpoints = allCallbackEndpoints();
const relay = new Relay({ pool, temporal, endpoints: callbackEndpoints, logger: logger.child({ component: 'relay' }) });
// Events: one LISTEN connection wakes SSE streams and the webhook dispatcher.
const events = new EventNotifier({ pool, logger: logger.child({ component: 'events' }) });
const webhooks = new WebhookDispatcher({ pool, config, notifier: events, logger: logger.child({ component: 'webhooks' }) });
const server = await buildServer({ config, pool, temporal, callbackEndpoints, relay, events, webhooks, providers: createProviderRegistry(config) }, logger);

try {
  await relay.start();
  await events.start();
  webhooks.start();
  await server.listen({ host: config.HOST, port: config.PORT });
} catch (err) {
  logger.fatal(`cannot start the API: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down the API');
  await server.close();
  await relay.stop();
  await webhooks.stop();
  await events.stop();
  await inFlight.idle(5_000);
  await temporal.connection.close().catch(() => undefined);
  await pool.end();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
