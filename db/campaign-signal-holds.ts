// campaign_signal_holds (migration 022): a campaign's status signals held while it continues as new.
// The relay signals a campaign under a shared advisory lock on it and looks for a hold after taking
// that lock; a hold is written under the exclusive lock, so once it is written no signal to that
// campaign is in flight and none starts until the hold ends.
import type pg from 'pg';
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';

/** The advisory lock namespace (first key) of the campaigns' signal locks. */
const SIGNAL_LOCKS = 7_402_119;

/** What held callbacks wait for (callback_inbox.waiting_for): the release wakes them by it. */
export const holdKey = (campaignId: string) => `campaign-hold:${campaignId}`;

/** Runs `work` in a transaction holding the campaign's exclusive signal lock (no relay signals it meanwhile). */
async function underExclusiveLock(
  pool: Pool,
  campaignId: string,
  work: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SIGNAL_LOCKS, campaignId]);
    await work(client);
  });
}

/** Holds the campaign's signals for at most `ms`, once the signals in flight to it are sent. */
export async function holdSignals(pool: Pool, campaignId: string, ms: number): Promise<void> {
  await underExclusiveLock(pool, campaignId, async (client) => {
    await client.query(
      `INSERT INTO campaign_signal_holds (campaign_id, until) VALUES ($1, now() + make_interval(secs => $2::float8 / 1000))
       ON CONFLICT (campaign_id) DO UPDATE SET until = excluded.until`,
      [campaignId, ms],
    );
  });
}

/**
 * Ends the campaign's hold, if any, and wakes the callbacks it held (NOTIFY kurir_relay, sent at
 * commit). Under the exclusive lock too: a relay that found the hold has filed its callbacks as
 * waiting before the wake-up looks for them.
 */
export async function releaseSignals(pool: Pool, campaignId: string): Promise<void> {
  const held = await pool.query('SELECT 1 FROM campaign_signal_holds WHERE campaign_id = $1', [campaignId]);
  if (held.rowCount === 0) return;
  await underExclusiveLock(pool, campaignId, async (client) => {
    await client.query(
      `WITH released AS (DELETE FROM campaign_signal_holds WHERE campaign_id = $1 RETURNING campaign_id)
       SELECT pg_notify('kurir_relay', $2) FROM released`,
      [campaignId, holdKey(campaignId)],
    );
  });
}

/**
 * Which of these campaigns hold their signals. Takes their shared signal locks first, in the
 * caller's transaction (kept until it commits, after its signals are sent); the hold is read by a
 * second statement, whose snapshot comes after the locks.
 */
export async function heldCampaigns(client: pg.PoolClient, campaignIds: string[]): Promise<Set<string>> {
  if (campaignIds.length === 0) return new Set();
  const ids = [...new Set(campaignIds)].sort();
  await client.query('SELECT pg_advisory_xact_lock_shared($1, hashtext(id)) FROM unnest($2::text[]) AS id', [
    SIGNAL_LOCKS,
    ids,
  ]);
  const res = await client.query<{ campaign_id: string }>(
    'SELECT campaign_id FROM campaign_signal_holds WHERE campaign_id = ANY($1::text[]) AND until > now()',
    [ids],
  );
  return new Set(res.rows.map((r) => r.campaign_id));
}
