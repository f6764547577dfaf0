// Read queries of the operator dashboard (/v1/ui/*): campaign list, sends per minute, recent
// OTPs and callback ingest per provider. Read-only; the tables belong to their own modules.
import type { CampaignCounters } from '../workflows/campaign-types.js';
import type { Pool } from './pool.js';

export interface CampaignListRow {
  id: string;
  name: string;
  status: string;
  created_at: Date;
  updated_at: Date;
  counters: Partial<CampaignCounters>;
  total: number;
}

/** Newest first; `total` counts recipient rows (one index range per campaign). */
export async function listCampaigns(pool: Pool, limit: number): Promise<CampaignListRow[]> {
  const res = await pool.query<CampaignListRow & { total: string }>(
    `SELECT c.id, c.name, c.status, c.created_at, c.updated_at, c.counters,
            (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id) AS total
     FROM campaigns c ORDER BY c.created_at DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({ ...r, total: Number(r.total) }));
}

export interface SendsPerMinute {
  minute: Date;
  provider: string;
  sends: number;
}

/**
 * Provider sends of a campaign's messages per minute and provider. provider_messages holds one row
 * per step actually sent (written by the send activity), so fallback sends count too.
 */
export async function campaignSendsPerMinute(pool: Pool, campaignId: string): Promise<SendsPerMinute[]> {
  const res = await pool.query<{ minute: Date; provider: string; sends: string }>(
    `SELECT date_trunc('minute', created_at) AS minute, provider, count(*) AS sends FROM provider_messages
     WHERE workflow_id LIKE $1 ESCAPE '\\' GROUP BY 1, 2 ORDER BY 1, 2`,
    [`${campaignId.replace(/[\\%_]/g, (c) => `\\${c}`)}:%`],
  );
  return res.rows.map((r) => ({ minute: r.minute, provider: r.provider, sends: Number(r.sends) }));
}

export interface RecentOtp {
  otp_id: string;
  sends: number;
  first_sent_at: Date;
  last_sent_at: Date;
  channels: string[];
  providers: string[];
}

/** The most recent OTPs by their last send. Never reads code_hash. */
export async function recentOtps(pool: Pool, limit: number): Promise<RecentOtp[]> {
  const res = await pool.query<RecentOtp & { sends: string }>(
    `SELECT otp_id, count(*) AS sends, min(sent_at) AS first_sent_at, max(sent_at) AS last_sent_at,
            array_agg(channel ORDER BY step) AS channels, array_agg(provider ORDER BY step) AS providers
     FROM otp_sends GROUP BY otp_id ORDER BY max(sent_at) DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({ ...r, sends: Number(r.sends) }));
}

export interface CallbackStats {
  provider: string;
  received: number;
  lastReceivedAt: Date | null;
  avgRelayLagSeconds: number | null;
  unrelayed: number;
  lastError: string | null;
}

/** Callbacks stored in the last `windowSeconds`, their relay lag, and the newest relay error. */
export async function callbackStats(pool: Pool, windowSeconds: number): Promise<CallbackStats[]> {
  const res = await pool.query<{
    provider: string;
    received: string;
    last: Date | null;
    lag: number | null;
    unrelayed: string;
    last_error: string | null;
  }>(
    `SELECT provider,
            count(*) FILTER (WHERE received_at > now() - make_interval(secs => $1)) AS received,
            max(received_at) AS last,
            avg(extract(epoch FROM relayed_at - received_at)::float8) FILTER (WHERE received_at > now() - make_interval(secs => $1)) AS lag,
            count(*) FILTER (WHERE relayed_at IS NULL AND dead_at IS NULL) AS unrelayed,
            (array_agg(last_error ORDER BY id DESC) FILTER (WHERE last_error IS NOT NULL))[1] AS last_error
     FROM callback_inbox GROUP BY provider`,
    [windowSeconds],
  );
  return res.rows.map((r) => ({
    provider: r.provider,
    received: Number(r.received),
    lastReceivedAt: r.last,
    avgRelayLagSeconds: r.lag,
    unrelayed: Number(r.unrelayed),
    lastError: r.last_error,
  }));
}

/** Campaign messages of one phone number: their workflow ids are `<campaign id>:<recipient id>`. */
export async function campaignMessagesOf(
  pool: Pool,
  phone: string,
  limit: number,
): Promise<Array<{ workflowId: string; campaignId: string; status: string; updatedAt: Date }>> {
  const res = await pool.query<{ campaign_id: string; recipient_id: number; status: string; updated_at: Date }>(
    `SELECT campaign_id, recipient_id, status, updated_at FROM campaign_recipients WHERE phone = $1 ORDER BY updated_at DESC LIMIT $2`,
    [phone, limit],
  );
  return res.rows.map((r) => ({
    workflowId: `${r.campaign_id}:${r.recipient_id}`,
    campaignId: r.campaign_id,
    status: r.status,
    updatedAt: r.updated_at,
  }));
}
