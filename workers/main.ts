// Worker entry point: `npm run worker` (started by `npm start`). The Temporal Runtime shuts the
// worker down gracefully on SIGINT/SIGTERM: in-flight activities get the grace time to finish,
// anything unfinished is retried by Temporal on another worker.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { kurirDataConverter } from '../codec/data-converter.js';
import { loadConfigOrExit } from '../config/index.js';
import { providerWarnings } from '../config/production-providers.js';
import { createPool, workerPoolSize } from '../db/pool.js';
import { createLogger, logFormat } from '../logging/logger.js';
import { recordingAccessTokens } from '../db/provider-access-tokens.js';
import { createProviderRegistry, PROVIDERS } from '../providers/registry.js';
import { connectionOptions, unreachableMessage } from '../temporal/connect.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { temporalTarget } from '../temporal/target.js';
import { ensureRetentionSchedule } from '../temporal/retention-schedule.js';
import { ensureInboxPollSchedule } from '../temporal/inbox-poll-schedule.js';
import { createKurirWorkers, activitySettings } from './create-worker.js';
import { retentionSettings } from './retention-settings.js';
import { installRuntime } from './runtime.js';

const config = loadConfigOrExit(process.env, { server: true });
const logger = createLogger({ level: config.LOG_LEVEL, name: 'kurir-worker', format: logFormat(config) });
// Production exceptions the operator allowed by name (plain-http or sandbox-mode providers).
for (const warning of providerWarnings(config)) logger.warn(warning);
if (!config.DATABASE_URL) {
  logger.fatal('DATABASE_URL is not set (npm start sets it for the embedded database)');
  process.exit(2);
}
installRuntime(logger, { metricsPort: config.WORKER_METRICS_PORT, metricsHost: config.HOST });

const target = temporalTarget(config);
let connection: NativeConnection;
try {
  connection = await NativeConnection.connect(connectionOptions(target));
  const client = await Connection.connect(connectionOptions(target));
  await ensureSearchAttributes(client, target.namespace);
  // Schedule actions carry workflow arguments: encoded as the worker will decode them.
  const dataConverter = kurirDataConverter(target.encryptionKey);
  const schedules = new Client({
    connection: client,
    namespace: target.namespace,
    ...(dataConverter ? { dataConverter } : {}),
  });
  try {
    // The retention schedule follows this worker's RETENTION_* settings (docs/operations.md#retention).
    const settings = retentionSettings(config);
    const result = await ensureRetentionSchedule(schedules, settings);
    logger.info({ schedule: settings.schedule, result }, 'retention schedule');
  } catch (err) {
    // Workers starting together race to update the one schedule; retention is not worth a worker
    // that does not start. Another worker's (or the next start's) update keeps the schedule.
    logger.warn({ err }, 'cannot create or update the retention schedule; sending goes on');
  }
  try {
    // SMS masking inbox.php polling, off unless SMS_MASKING_INBOX_POLL is set (docs/operations.md#inbox-polling).
    const schedule = config.SMS_MASKING_INBOX_POLL;
    const result = await ensureInboxPollSchedule(schedules, {
      schedule,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    });
    logger.info({ schedule, result }, 'sms-masking inbox poll schedule');
  } catch (err) {
    logger.warn({ err }, 'cannot create, update or delete the sms-masking inbox poll schedule; sending goes on');
  }
  await client.close();
} catch (err) {
  logger.fatal(unreachableMessage(target.address, err));
  process.exit(1);
}

const pool = createPool(
  config.DATABASE_URL,
  config.DATABASE_POOL_MAX ?? workerPoolSize(config.WORKER_ACTIVITY_CONCURRENCY),
);
// Tokens a provider issues are recorded (hashed) so the API can accept callbacks signed with them.
// A lookup answer no client can read is logged and counted; the worker's metrics are the Temporal
// runtime's exporter (WORKER_METRICS_PORT), so the counter lives there, not in prom-client.
const unparsedLookups = Runtime.instance().metricMeter.createCounter(
  'kurir_provider_lookup_unparsed_total',
  undefined,
  'Provider status lookups answered in a shape the client cannot read, by provider',
);
const providers = createProviderRegistry(config, PROVIDERS, {
  ...recordingAccessTokens(pool),
  onLookupUnparsed: (provider, detail) => {
    logger.warn({ provider, detail }, 'status lookup answer not understood');
    unparsedLookups.add(1, { provider });
  },
});
const workers = await createKurirWorkers({
  connection,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  pool,
  providers,
  ...activitySettings(config),
  rateLimits: config.PROVIDER_RATE_LIMITS,
  workflowBundlePath: process.env.KURIR_WORKFLOW_BUNDLE,
  encryptionKey: config.KURIR_ENCRYPTION_KEY,
  maxConcurrentActivityTaskExecutions: config.WORKER_ACTIVITY_CONCURRENCY,
});
logger.info(
  { taskQueue: config.TEMPORAL_TASK_QUEUE, providers: providers.modes, rateLimits: config.PROVIDER_RATE_LIMITS },
  'worker started',
);
await workers.run();
await pool.end();
await connection.close();
logger.info('worker stopped');
