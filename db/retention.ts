// Retention: deletes what is older than its configured age, in bounded batches (each statement is
// its own short transaction, so a long backlog never holds one huge one). Nothing a running
// workflow or a pending delivery still needs is touched:
// - callbacks not yet relayed are kept unless they wait for an owner no workflow ever recorded;
// - pending webhook deliveries are kept, and so is every event that still has a delivery;
// - campaign recipients keep their rows (progress and exports count them): only the phone number
//   and parameters of a completed, canceled or failed campaign are blanked;
// - OTP sends are kept at least as long as the send window the per-number limit counts.
import type { RetentionAges, RetentionCounts } from '../workflows/retention.js';
import type { Pool } from './pool.js';

export const RETENTION_BATCH = 5_000;

export interface PruneOptions {
  /** The time ages are measured from (tests); default the database's current time. */
  now?: Date;
  batchSize?: number;
  /** Called after every batch (the activity heartbeats). */
  onBatch?: (counts: RetentionCounts) => void;
}

// Each statement takes the cutoff ($1) and the batch size ($2), and rechecks its condition on the
// row it deletes: a row that changed since the batch was chosen (a dead delivery replayed, a
// waiting callback relayed) is left alone.
const STATEMENTS: Record<
  Exclude<keyof RetentionCounts, 'campaignRecipients'>,
  { age: keyof RetentionAges; sql: string }
> = {
  relayedCallbacks: {
    age: 'callbacks',
    sql: `DELETE FROM callback_inbox WHERE id IN (SELECT id FROM callback_inbox WHERE relayed_at < $1 LIMIT $2) AND relayed_at < $1`,
  },
  // Set aside by the relay as poison (services/relay-poison.ts); listed by GET /v1/callbacks/dead until then.
  deadCallbacks: {
    age: 'callbacks',
    sql: `DELETE FROM callback_inbox WHERE id IN (SELECT id FROM callback_inbox WHERE dead_at < $1 LIMIT $2) AND dead_at < $1`,
  },
  // Waiting for a provider message no workflow owns (another system's traffic, forged ids). Rows
  // that failed for any other reason (Temporal unreachable) have no waiting_for and are kept.
  unownedCallbacks: {
    age: 'unownedCallbacks',
    sql: `DELETE FROM callback_inbox WHERE id IN (
            SELECT id FROM callback_inbox WHERE relayed_at IS NULL AND waiting_for IS NOT NULL AND received_at < $1 LIMIT $2)
          AND relayed_at IS NULL AND waiting_for IS NOT NULL`,
  },
  // Age: the last attempt (or the event's creation when none was made). Every attempt follows its
  // event's creation, so only deliveries of events older than the cutoff need looking at.
  webhookDeliveries: {
    age: 'events',
    sql: `DELETE FROM webhook_deliveries WHERE id IN (
            SELECT d.id FROM events e JOIN webhook_deliveries d ON d.event_seq = e.seq
            WHERE e.created_at < $1 AND d.state IN ('delivered', 'dead')
              AND COALESCE(GREATEST(d.delivered_at, d.last_attempt_at), e.created_at) < $1 LIMIT $2)
          AND state IN ('delivered', 'dead')`,
  },
  // Only events with no delivery left: the cascade would otherwise take a pending one with them.
  events: {
    age: 'events',
    sql: `DELETE FROM events WHERE seq IN (
            SELECT e.seq FROM events e WHERE e.created_at < $1
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq) LIMIT $2)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = events.seq)`,
  },
  // By when kurir stored it, not the provider's received_at (which may be years old or missing).
  inboundMessages: {
    age: 'inbound',
    sql: `DELETE FROM inbound_messages WHERE id IN (SELECT id FROM inbound_messages WHERE stored_at < $1 LIMIT $2)`,
  },
  idempotencyKeys: {
    age: 'idempotencyKeys',
    sql: `DELETE FROM idempotency_keys WHERE (scope, key) IN (SELECT scope, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)
          AND created_at < $1`,
  },
  // The feed and the KPIs (migration 017) keep what the events keep: a message or OTP by when it
  // started and last moved, an attempt by when it was sent.
  activity: {
    age: 'events',
    sql: `DELETE FROM activity WHERE id IN (SELECT id FROM activity WHERE started_at < $1 AND updated_at < $1 LIMIT $2)`,
  },
  deliveryAttempts: {
    age: 'events',
    sql: `DELETE FROM delivery_attempts WHERE (message_id, step) IN (SELECT message_id, step FROM delivery_attempts WHERE at < $1 LIMIT $2)`,
  },
  // A reservation (no provider message id) this old is no longer pending either: the send
  // activity gives up within minutes (4 attempts of 30 s), and the age is at least the window.
  otpSends: {
    age: 'otpSends',
    sql: `DELETE FROM otp_sends WHERE (otp_id, step) IN (SELECT otp_id, step FROM otp_sends WHERE sent_at < $1 LIMIT $2) AND sent_at < $1`,
  },
};

export function emptyCounts(): RetentionCounts {
  return {
    relayedCallbacks: 0,
    deadCallbacks: 0,
    unownedCallbacks: 0,
    webhookDeliveries: 0,
    events: 0,
    inboundMessages: 0,
    campaignRecipients: 0,
    idempotencyKeys: 0,
    otpSends: 0,
    activity: 0,
    deliveryAttempts: 0,
  };
}

/** Prunes every table by its age; returns the rows removed (recipients: blanked) per kind. */
export async function pruneDue(pool: Pool, ages: RetentionAges, opts: PruneOptions = {}): Promise<RetentionCounts> {
  // The database's clock: it stamped the rows (column defaults), so ages are measured with it.
  const now = opts.now ?? (await pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now;
  const batch = opts.batchSize ?? RETENTION_BATCH;
  const counts = emptyCounts();
  const cutoff = (age: keyof RetentionAges) => new Date(now.getTime() - ages[age]);
  // Deliveries before events: an event goes once its last delivery is gone.
  for (const kind of Object.keys(STATEMENTS) as (keyof typeof STATEMENTS)[]) {
    const { age, sql } = STATEMENTS[kind];
    for (;;) {
      const res = await pool.query(sql, [cutoff(age), batch]);
      const n = res.rowCount ?? 0;
      counts[kind] += n;
      opts.onBatch?.(counts);
      if (n < batch) break;
    }
  }
  counts.campaignRecipients = await redactFinishedCampaigns(pool, cutoff('campaignRecipients'), batch, () =>
    opts.onBatch?.(counts),
  );
  return counts;
}

/**
 * Blanks the phone number and parameters of every recipient of campaigns that completed, were
 * canceled or failed to import before `cutoff`, page by page in recipient order, then marks the
 * campaign so later runs skip it. The rows stay: progress, counters and exports keep every status and outcome.
 */
async function redactFinishedCampaigns(pool: Pool, cutoff: Date, batch: number, onBatch: () => void): Promise<number> {
  const due = await pool.query<{ id: string }>(
    `SELECT id FROM campaigns WHERE status IN ('completed', 'canceled', 'failed') AND updated_at < $1 AND recipients_redacted_at IS NULL ORDER BY updated_at`,
    [cutoff],
  );
  let total = 0;
  for (const { id } of due.rows) {
    // Recipient ids are row positions in the imported file, never negative.
    for (let after = -1; ;) {
      const res = await pool.query<{ last: number | null; n: number }>(
        `WITH page AS (SELECT recipient_id FROM campaign_recipients WHERE campaign_id = $1 AND recipient_id > $2 ORDER BY recipient_id LIMIT $3),
              blanked AS (UPDATE campaign_recipients r SET phone = '', params = NULL FROM page
                          WHERE r.campaign_id = $1 AND r.recipient_id = page.recipient_id AND (r.phone <> '' OR r.params IS NOT NULL) RETURNING 1)
         SELECT (SELECT max(recipient_id) FROM page) AS last, (SELECT count(*) FROM blanked)::int AS n`,
        [id, after, batch],
      );
      const { last, n } = res.rows[0]!;
      total += n;
      onBatch();
      if (last === null) break;
      after = last;
    }
    await pool.query('UPDATE campaigns SET recipients_redacted_at = now() WHERE id = $1', [id]);
  }
  return total;
}
