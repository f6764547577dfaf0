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
  /** When the API stored it: the time a status without a precise provider time is dated with. */
  received_at: Date;
}

export function dedupeKey(route: string, method: string, query: Record<string, string>, body: string): string {
  const q = Object.keys(query)
    .sort()
    .map((k) => `${k}=${query[k]}`)
    .join('&');
  return createHash('sha256').update(`${method} ${route}?${q}\n${body}`).digest('hex');
}

/** Locks a batch of due rows for this transaction (other relays skip them). */
export async function lockDueCallbacks(client: pg.PoolClient, limit: number): Promise<InboxRow[]> {
  const res = await client.query<InboxRow>(
    `SELECT id, provider, route, method, query, body, relay_attempts, received_at FROM callback_inbox
     WHERE relayed_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return res.rows;
}

/** Marks rows relayed; returns each one's seconds from receipt to relay (the relay-lag metric). */
export async function markRelayed(client: pg.PoolClient, ids: string[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const res = await client.query<{ lag: number }>(
    `UPDATE callback_inbox SET relayed_at = now(), relay_attempts = relay_attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])
     RETURNING extract(epoch FROM relayed_at - received_at)::float8 AS lag`,
    [ids],
  );
  return res.rows.map((r) => r.lag);
}

export interface Retry {
  row: InboxRow;
  error: string;
  waitingFor?: string;
}

/**
 * An error as the text column can hold it: a parser's message may quote the poison itself (a NUL
 * the database refuses), and a refused error write would fail the batch all over again.
 */
export function storableError(error: string): string {
  const clean = error.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return clean.length > 2_000 ? `${clean.slice(0, 2_000)}…` : clean;
}

/**
 * Not deliverable yet: try again later with capped exponential backoff, one statement for the
 * batch. `waitingFor` names the provider message whose owner is missing (providerMessageKey), so
 * recording that message wakes the row at once.
 */
export async function markRetries(client: pg.PoolClient, retries: Retry[]): Promise<void> {
  if (retries.length === 0) return;
  // A row waiting for an owner is woken when that owner is recorded, so its backoff may grow to an
  // hour: it only bounds the work spent on callbacks about messages kurir never sent. Its first
  // retries stay quick all the same: an owner recorded before this update commits wakes nothing.
  // Any other failure (Temporal unreachable, say) is retried at least once a minute.
  const delaySec = (r: Retry) => 0.25 * 2 ** Math.min(r.row.relay_attempts, r.waitingFor ? 14 : 8);
  await client.query(
    `UPDATE callback_inbox c SET relay_attempts = c.relay_attempts + 1, last_error = r.error,
       next_attempt_at = now() + make_interval(secs => r.delay), waiting_for = r.waiting_for
     FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::text[]) AS r(id, error, delay, waiting_for) WHERE c.id = r.id`,
    [
      retries.map((r) => r.row.id),
      retries.map((r) => storableError(r.error)),
      retries.map(delaySec),
      retries.map((r) => r.waitingFor ?? null),
    ],
  );
}

/** Makes the rows waiting for these provider messages due now: their owners are recorded. */
export async function makeWaitingDue(pool: Pool, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const res = await pool.query(
    'UPDATE callback_inbox SET next_attempt_at = now() WHERE relayed_at IS NULL AND dead_at IS NULL AND waiting_for = ANY($1::text[]) AND next_attempt_at > now()',
    [keys],
  );
  return res.rowCount ?? 0;
}

/** Makes every waiting row due now (after the relay may have missed notifications). */
export async function makeAllWaitingDue(pool: Pool): Promise<void> {
  await pool.query(
    'UPDATE callback_inbox SET next_attempt_at = now() WHERE relayed_at IS NULL AND dead_at IS NULL AND next_attempt_at > now()',
  );
}

export interface Dead {
  id: string;
  error: string;
}

/** Sets rows aside for good: they fail in a way no retry fixes (see services/relay-poison.ts). */
export async function markDead(client: pg.PoolClient, dead: Dead[]): Promise<void> {
  if (dead.length === 0) return;
  await client.query(
    `UPDATE callback_inbox c SET dead_at = now(), relay_attempts = c.relay_attempts + 1, last_error = d.error, waiting_for = NULL
     FROM unnest($1::bigint[], $2::text[]) AS d(id, error) WHERE c.id = d.id`,
    [dead.map((d) => d.id), dead.map((d) => storableError(d.error))],
  );
}

export interface DeadRow {
  id: string;
  provider: string;
  route: string;
  received_at: Date;
  dead_at: Date;
  error: string | null;
  body: string;
  body_length: number;
}

/**
 * Dead callbacks, newest first, with the first `bodyChars` characters of each body. The query
 * never held the callback token (the route strips it before storing), so nothing secret is listed.
 */
export async function listDeadCallbacks(
  pool: Pool,
  opts: { limit: number; beforeId?: string; bodyChars: number },
): Promise<DeadRow[]> {
  const res = await pool.query<DeadRow>(
    `SELECT id, provider, route, received_at, dead_at, last_error AS error, left(body, $3) AS body, length(body) AS body_length
     FROM callback_inbox WHERE dead_at IS NOT NULL AND ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
    [opts.beforeId ?? null, opts.limit, opts.bodyChars],
  );
  return res.rows;
}
