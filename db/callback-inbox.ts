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

export async function markRelayed(client: pg.PoolClient, id: string): Promise<void> {
  await client.query('UPDATE callback_inbox SET relayed_at = now(), relay_attempts = relay_attempts + 1, last_error = NULL WHERE id = $1', [id]);
}

/** Not deliverable yet (e.g. no owner known): try again later with capped exponential backoff. */
export async function markRetry(client: pg.PoolClient, row: InboxRow, error: string): Promise<void> {
  const delaySec = Math.min(2 ** Math.min(row.relay_attempts, 8) * 0.25, 300);
  await client.query(
    `UPDATE callback_inbox SET relay_attempts = relay_attempts + 1, last_error = $2,
       next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`, [row.id, error, delaySec]);
}

/** Makes every waiting row due now (a new provider message may own them). */
export async function makePendingDue(pool: Pool): Promise<void> {
  await pool.query('UPDATE callback_inbox SET next_attempt_at = now() WHERE relayed_at IS NULL AND next_attempt_at > now()');
}
