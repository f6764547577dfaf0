// Row isolation for the relay. A statement that fails inside a transaction aborts it, so one
// callback the database refuses (a NUL in an id, a date it cannot store) used to fail its whole
// batch, and the next sweep picked the same batch again: relaying stopped for good (security
// review H1). Here a batch's statement runs under a savepoint; when it fails on a poison value, the
// rows are tried one by one, each under its own savepoint, and only the guilty ones are reported.
import type pg from 'pg';

/**
 * SQLSTATEs of a value PostgreSQL refuses: retrying the same row fails the same way. Class 22 is
 * data exceptions (22021 NUL in text, 22P05 \u0000 in jsonb, 22007/22008 bad or out-of-range
 * dates), 23502/23514 a missing or invalid column, class 54 program limits (54000: an index row
 * too big for a huge id). Anything else (a lost connection, a timeout, a deadlock) is transient.
 */
const POISON_SQLSTATE = /^(22[0-9A-Z]{3}|23502|23514|54[0-9A-Z]{3})$/;

/** True when `err` is about the row's data, never about the database or the network. */
export function isPoison(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && POISON_SQLSTATE.test(code)) return true;
  // node-pg serialising an Invalid Date or a value it cannot encode, before anything is sent.
  return err instanceof RangeError;
}

export function errorText(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

async function underSavepoint(client: pg.PoolClient | undefined, work: () => Promise<void>): Promise<void> {
  // Outside a transaction (a read on the pool) a failed statement aborts nothing: no savepoint.
  if (!client) return work();
  await client.query('SAVEPOINT relay_rows');
  try {
    await work();
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT relay_rows');
    throw err;
  }
  await client.query('RELEASE SAVEPOINT relay_rows');
}

/**
 * Runs `run` over all `rows` at once (one statement for the batch when all is well); when that fails
 * on a poison value, runs it row by row to find the poison. Returns each poison row's error; what
 * `run` did for the others stays. A transient failure is thrown: the batch is retried as a whole.
 * `client` is the transaction `run` works in (each try gets a savepoint), or undefined when `run`
 * only reads through the pool.
 */
export async function isolateRows<T>(
  client: pg.PoolClient | undefined,
  rows: T[],
  run: (rows: T[]) => Promise<void>,
): Promise<Map<T, string>> {
  const poisoned = new Map<T, string>();
  if (rows.length === 0) return poisoned;
  try {
    await underSavepoint(client, () => run(rows));
    return poisoned;
  } catch (err) {
    if (!isPoison(err)) throw err;
    if (rows.length === 1) {
      poisoned.set(rows[0]!, errorText(err));
      return poisoned;
    }
  }
  for (const row of rows) {
    try {
      await underSavepoint(client, () => run([row]));
    } catch (err) {
      if (!isPoison(err)) throw err;
      poisoned.set(row, errorText(err));
    }
  }
  return poisoned;
}
