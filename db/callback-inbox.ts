// callback_inbox: provider callbacks stored raw before they are acknowledged.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Pool } from './pool.js';

export interface InboxRow {
  id: string;
  provider: string;
  route: string;
  method: string;
  query: Record<string, string>;
  body: string;
  relay_attempts: number;
}

export function dedupeKey(route: string, method: string, query: Record<string, string>, body: string): string {
  const q = Object.keys(query).sort().map((k) => `${k}=${query[k]}`).join('&');
  return createHash('sha256').update(`${method} ${route}?${q}\n${body}`).digest('hex');
}

/** Locks a batch of due rows for this transaction (other relays skip them). */
export async function lockDueCallbacks(client: pg.PoolClient, limit: number): Promise<InboxRow[]> {
  const res = await client.query<InboxRow>(
    `SELECT id, provider, route, method, query, body, relay_attempts FROM callback_inbox
     WHERE relayed_at IS NULL AND next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
  return res.rows;
}

export async function markRelayed(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query('UPDATE callback_inbox SET relayed_at = now(), relay_attempts = relay_attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])', [ids]);
}

/**
 * Not deliverable yet: try again later with capped exponential backoff. `waitingFor` names the
 * provider message whose owner is missing (providerMessageKey), so recording that message wakes this row at once.
 */
export async function markRetry(client: pg.PoolClient, row: InboxRow, error: string, waitingFor?: string): Promise<void> {
  // A row waiting for an owner is woken when that owner is recorded, so its backoff may grow to an
  // hour: it only bounds the work spent on callbacks about messages kurir never sent. Its first
  // retries stay quick all the same: an owner recorded before this update commits wakes nothing.
  // Any other failure (Temporal unreachable, say) is retried at least once a minute.
  const delaySec = 0.25 * 2 ** Math.min(row.relay_attempts, waitingFor ? 14 : 8);
  await client.query(
    `UPDATE callback_inbox SET relay_attempts = relay_attempts + 1, last_error = $2,
       next_attempt_at = now() + make_interval(secs => $3), waiting_for = $4 WHERE id = $1`, [row.id, error, delaySec, waitingFor ?? null]);
}

/** Makes the rows waiting for these provider messages due now: their owners are recorded. */
export async function makeWaitingDue(pool: Pool, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const res = await pool.query(
    'UPDATE callback_inbox SET next_attempt_at = now() WHERE relayed_at IS NULL AND waiting_for = ANY($1::text[]) AND next_attempt_at > now()', [keys]);
  return res.rowCount ?? 0;
}

/** Makes every waiting row due now (after the relay may have missed notifications). */
export async function makeAllWaitingDue(pool: Pool): Promise<void> {
  await pool.query('UPDATE callback_inbox SET next_attempt_at = now() WHERE relayed_at IS NULL AND next_attempt_at > now()');
}
