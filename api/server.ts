// API entry point: `npm run api` (started by `npm start`). Runs the HTTP API and its background
// services (runtime/api-runtime.ts) and shuts them down cleanly on SIGINT/SIGTERM.
import { loadConfigOrExit } from '../config/index.js';
import { exposureWarnings, providerWarnings } from '../config/production-providers.js';
import { createLogger, logFormat } from '../logging/logger.js';
import { createApiRuntime } from '../runtime/api-runtime.js';

const config = loadConfigOrExit(process.env, { server: true });
const logger = createLogger({ level: config.LOG_LEVEL, name: 'kurir-api', format: logFormat(config) });
for (const warning of [...providerWarnings(config), ...exposureWarnings(config)]) logger.warn(warning);
if (!config.DATABASE_URL) {
  logger.fatal('DATABASE_URL is not set (npm start sets it for the embedded database)');
  process.exit(2);
}
// Temporal is connected on first use: the API starts and answers 503 while Temporal is down.
const runtime = await createApiRuntime(config, { logger });
try {
  await runtime.start();
} catch (err) {
  logger.fatal(`cannot start the API: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down the API');
  await runtime.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
