// `npm run migrate`: apply pending migrations to DATABASE_URL.
import { loadConfigOrExit } from '../config/index.js';
import { migrate } from './migrate.js';

const config = loadConfigOrExit();
if (!config.DATABASE_URL) {
  process.stderr.write('kurir: DATABASE_URL is not set (npm start migrates the embedded database by itself)\n');
  process.exit(2);
}
const applied = await migrate(config.DATABASE_URL);
process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
