// One transaction on one pooled connection: COMMIT when `work` resolves, ROLLBACK when it throws
// (the rollback's own failure is ignored so the original error surfaces).
import type pg from 'pg';
import type { Pool } from './pool.js';

export async function inTransaction<T>(pool: Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost while checked out (a database restart mid-transaction, say, while the relay
  // awaits its signals) emits 'error' on the client, an uncaught exception without a listener. The
  // failing query reports it to `work`; here it only keeps the broken client out of the pool.
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}
