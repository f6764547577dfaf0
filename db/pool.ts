// One pg Pool per process. The same code runs against a given DATABASE_URL or the embedded server.
import pg from 'pg';

export type Pool = pg.Pool;

/**
 * No statement runs longer than a minute and no transaction idles that long: a stuck query or a
 * transaction left open by a bug gives its connection back instead of starving the pool.
 */
const SESSION_LIMITS = { statement_timeout: 60_000, idle_in_transaction_session_timeout: 60_000 };

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5_000, ...SESSION_LIMITS });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A worker's pool for `activityConcurrency` concurrent activities: no activity holds a connection
 * across a provider call (each runs a few short statements), so a fifth of them at once is ample,
 * between 10 and 50 connections.
 */
export function workerPoolSize(activityConcurrency: number): number {
  return Math.min(50, Math.max(10, Math.ceil(activityConcurrency / 5)));
}

export async function databaseReachable(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
