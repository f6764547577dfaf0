// `npm run temporal`: only the Temporal dev server (+ UI), with the same data as `npm start`.
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { loadConfigOrExit } from '../config/index.js';
import { ensureTemporalBinary, startTemporalDevServer, temporalDbFile } from './temporal.js';

const config = loadConfigOrExit();
const server = await startTemporalDevServer({
  binary: await ensureTemporalBinary(),
  port: config.TEMPORAL_DEV_PORT,
  uiPort: config.TEMPORAL_UI_PORT,
  dbFile: temporalDbFile(),
  searchAttributes: SEARCH_ATTRIBUTES,
});
process.stdout.write(`Temporal dev server at ${server.address}, UI at ${server.uiUrl}. Ctrl-C stops it.\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
