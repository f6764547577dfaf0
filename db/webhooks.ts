// webhook_subscriptions and webhook_deliveries: who wants which events, and the retry state of
// each (subscription, event). Deliveries are created by the events table's trigger.
import type { KurirEvent } from '../workflows/event-types.js';
import { rowToEvent } from './events.js';
import type { Pool } from './pool.js';

export interface SubscriptionRow {
  id: string;
  url: string;
  types: string[];
  description: string | null;
  created_at: Date;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_until: Date | null;
}

export async function insertSubscription(
  pool: Pool,
  s: { id: string; url: string; types: string[]; secretEncrypted: string; description?: string },
): Promise<SubscriptionRow> {
  const res = await pool.query<SubscriptionRow>(
    `INSERT INTO webhook_subscriptions (id, url, types, secret_encrypted, description) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [s.id, s.url, s.types, s.secretEncrypted, s.description ?? null],
  );
  return res.rows[0]!;
}

export async function listSubscriptions(pool: Pool): Promise<SubscriptionRow[]> {
  return (await pool.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions ORDER BY created_at, id')).rows;
}

export async function getSubscription(pool: Pool, id: string): Promise<SubscriptionRow | undefined> {
  return (await pool.query<SubscriptionRow>('SELECT * FROM webhook_subscriptions WHERE id = $1', [id])).rows[0];
}

/**
 * Replaces the signing secret; the old one keeps signing next to it for `overlapMs`. Returns until
 * when, or undefined for an unknown subscription.
 */
export async function rotateSubscriptionSecret(
  pool: Pool,
  id: string,
  secretEncrypted: string,
  overlapMs: number,
): Promise<Date | undefined> {
  const res = await pool.query<{ previous_secret_until: Date }>(
    `UPDATE webhook_subscriptions SET previous_secret_encrypted = secret_encrypted, secret_encrypted = $2,
       previous_secret_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1 RETURNING previous_secret_until`,
    [id, secretEncrypted, overlapMs],
  );
  return res.rows[0]?.previous_secret_until;
}

/** Rewrites one subscription's sealed secrets (a key rotation); a concurrent change of them wins. */
export async function resealSubscription(
  pool: Pool,
  row: Pick<SubscriptionRow, 'id' | 'secret_encrypted' | 'previous_secret_encrypted'>,
  sealed: { secret: string; previous: string | null },
): Promise<void> {
  await pool.query(
    `UPDATE webhook_subscriptions SET secret_encrypted = $4, previous_secret_encrypted = $5
     WHERE id = $1 AND secret_encrypted = $2 AND previous_secret_encrypted IS NOT DISTINCT FROM $3`,
    [row.id, row.secret_encrypted, row.previous_secret_encrypted, sealed.secret, sealed.previous],
  );
}

/** Deletes the subscription and every delivery of it (pending ones are never sent). */
export async function deleteSubscription(pool: Pool, id: string): Promise<boolean> {
  return ((await pool.query('DELETE FROM webhook_subscriptions WHERE id = $1', [id])).rowCount ?? 0) > 0;
}

export interface ClaimedDelivery {
  deliveryId: string;
  subscriptionId: string;
  attempts: number;
  giveUpAt: Date;
  url: string;
  secretEncrypted: string;
  /** The secret a rotation replaced, while it still signs. */
  previousSecretEncrypted?: string;
  event: KurirEvent;
}

/**
 * Claims due deliveries: takes a lease (next_attempt_at moves forward, so a crashed dispatcher's
 * claims come back) and counts the attempt. A delivery whose subject has an earlier event still
 * pending for the same subscription waits, which keeps each message's events in order.
 */
export async function claimDueDeliveries(
  pool: Pool,
  opts: {
    limit: number;
    leaseMs: number;
    budgetMs: number;
    /** At most this many in flight per subscription, counting `inFlight` (this process's own). */
    perSubscription?: number;
    inFlight?: ReadonlyMap<string, number>;
  },
): Promise<ClaimedDelivery[]> {
  const cap = opts.perSubscription ?? opts.limit;
  const busy = [...(opts.inFlight ?? new Map<string, number>()).entries()];
  // Candidates are ranked per subscription (a window cannot sit next to FOR UPDATE, hence the two
  // steps); subscriptions already at their cap are left out, so one slow endpoint cannot fill a claim.
  const res = await pool.query<
    Record<string, unknown> & {
      delivery_id: string;
      subscription_id: string;
      attempts: number;
      give_up_at: Date;
      url: string;
      secret_encrypted: string;
      previous_secret: string | null;
    }
  >(
    `WITH busy AS (SELECT * FROM unnest($4::text[], $5::int[]) AS b(sub, n)),
     candidates AS (
       SELECT d.id, row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.event_seq)
                    + coalesce((SELECT n FROM busy WHERE busy.sub = d.subscription_id), 0) AS rank
       FROM webhook_deliveries d
       WHERE d.state = 'pending' AND d.next_attempt_at <= now()
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.subscription_id = d.subscription_id AND e.subject = d.subject
                         AND e.state = 'pending' AND e.event_seq < d.event_seq)
         AND d.subscription_id NOT IN (SELECT sub FROM busy WHERE n >= $6)),
     due AS (
       SELECT d.id FROM webhook_deliveries d JOIN candidates c ON c.id = d.id
       WHERE c.rank <= $6 AND d.state = 'pending'
       ORDER BY d.event_seq LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries w SET attempts = w.attempts + 1, last_attempt_at = now(),
       next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
       give_up_at = coalesce(w.give_up_at, now() + make_interval(secs => $3::double precision / 1000))
     FROM due, events ev, webhook_subscriptions s
     WHERE w.id = due.id AND ev.seq = w.event_seq AND s.id = w.subscription_id
     RETURNING w.id AS delivery_id, w.subscription_id, w.attempts, w.give_up_at, s.url, s.secret_encrypted,
       CASE WHEN s.previous_secret_until > now() THEN s.previous_secret_encrypted END AS previous_secret,
       ev.seq, ev.id, ev.type, ev.version, ev.message_id, ev.otp_id, ev.campaign_id, ev.reference, ev.provider, ev.channel, ev.occurred_at, ev.data`,
    [opts.limit, opts.leaseMs, opts.budgetMs, busy.map(([sub]) => sub), busy.map(([, n]) => n), cap],
  );
  return res.rows
    .map((r) => ({
      deliveryId: r.delivery_id,
      subscriptionId: r.subscription_id,
      attempts: r.attempts,
      giveUpAt: r.give_up_at,
      url: r.url,
      secretEncrypted: r.secret_encrypted,
      ...(r.previous_secret ? { previousSecretEncrypted: r.previous_secret } : {}),
      event: rowToEvent(r as unknown as Parameters<typeof rowToEvent>[0]),
    }))
    .sort((a, b) => a.event.seq - b.event.seq);
}

export async function markDelivered(pool: Pool, deliveryId: string, status: number): Promise<void> {
  await pool.query(
    `UPDATE webhook_deliveries SET state = 'delivered', delivered_at = now(), last_status = $2, last_error = NULL WHERE id = $1`,
    [deliveryId, status],
  );
}

/** A failed attempt: retry at `retryAt`, or dead-letter it when `retryAt` is undefined. */
export async function markAttemptFailed(
  pool: Pool,
  deliveryId: string,
  f: { status?: number; error: string; retryAt?: Date },
): Promise<void> {
  await pool.query(
    `UPDATE webhook_deliveries SET last_status = $2, last_error = $3,
       state = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END, next_attempt_at = coalesce($4::timestamptz, next_attempt_at)
     WHERE id = $1`,
    [deliveryId, f.status ?? null, f.error.slice(0, 500), f.retryAt ?? null],
  );
}

export interface FailureRow {
  event: KurirEvent;
  attempts: number;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

export async function listFailures(pool: Pool, subscriptionId: string, limit: number): Promise<FailureRow[]> {
  const res = await pool.query<
    Record<string, unknown> & {
      attempts: number;
      last_attempt_at: Date | null;
      last_status: number | null;
      last_error: string | null;
    }
  >(
    `SELECT d.attempts, d.last_attempt_at, d.last_status, d.last_error,
       ev.seq, ev.id, ev.type, ev.version, ev.message_id, ev.otp_id, ev.campaign_id, ev.reference, ev.provider, ev.channel, ev.occurred_at, ev.data
     FROM webhook_deliveries d JOIN events ev ON ev.seq = d.event_seq
     WHERE d.subscription_id = $1 AND d.state = 'dead' ORDER BY d.event_seq LIMIT $2`,
    [subscriptionId, limit],
  );
  return res.rows.map((r) => ({
    event: rowToEvent(r as unknown as Parameters<typeof rowToEvent>[0]),
    attempts: r.attempts,
    lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
    lastStatus: r.last_status,
    lastError: r.last_error,
  }));
}

/** Dead deliveries (all, or those of the given event ids) get a fresh retry budget. */
export async function replayDead(pool: Pool, subscriptionId: string, eventIds?: string[]): Promise<number> {
  const res = await pool.query(
    `UPDATE webhook_deliveries d SET state = 'pending', attempts = 0, next_attempt_at = now(), give_up_at = NULL, last_error = NULL
     WHERE d.subscription_id = $1 AND d.state = 'dead'
       AND ($2::text[] IS NULL OR d.event_seq IN (SELECT seq FROM events WHERE id = ANY ($2)))`,
    [subscriptionId, eventIds?.length ? eventIds : null],
  );
  return res.rowCount ?? 0;
}
