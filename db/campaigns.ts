// campaigns and campaign_recipients: definitions, recipient pages, outcomes and reports.
import type {
  CampaignCounters,
  CampaignRecipient,
  CampaignTemplate,
  RecipientOutcome,
  RecipientStatus,
} from '../workflows/campaign-types.js';
import type { KurirEventInput } from '../workflows/event-types.js';
import type { Attempt } from '../workflows/types.js';
import { insertEvents } from './events.js';
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';

export interface CampaignSettings {
  concurrency?: number;
  pageSize?: number;
  quietHours?: { start: string; end: string };
  timeZone?: string;
}

export interface CampaignRow {
  id: string;
  name: string;
  template: CampaignTemplate;
  settings: CampaignSettings;
  status: string;
  created_at: Date;
  counters: Partial<CampaignCounters>;
  /** Why the import failed (status `failed`), else null. */
  failure_reason: string | null;
}

export interface NewRecipient {
  recipientId: number;
  phone: string;
  params?: string[];
  timeZone?: string;
}

export async function insertCampaign(
  pool: Pool,
  c: { id: string; name: string; template: CampaignTemplate; settings: CampaignSettings },
): Promise<void> {
  await pool.query('INSERT INTO campaigns (id, name, template, settings) VALUES ($1, $2, $3, $4)', [
    c.id,
    c.name,
    JSON.stringify(c.template),
    JSON.stringify(c.settings),
  ]);
}

export async function getCampaign(pool: Pool, id: string): Promise<CampaignRow | undefined> {
  const res = await pool.query<CampaignRow>(
    'SELECT id, name, template, settings, status, created_at, counters, failure_reason FROM campaigns WHERE id = $1',
    [id],
  );
  return res.rows[0];
}

/** Sets the status (and counters); `events` are stored in the same transaction (the outbox). */
export async function setCampaignStatus(
  pool: Pool,
  id: string,
  status: string,
  counters?: CampaignCounters,
  events: KurirEventInput[] = [],
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(
      'UPDATE campaigns SET status = $2, counters = COALESCE($3::jsonb, counters), updated_at = now() WHERE id = $1',
      [id, status, counters ? JSON.stringify(counters) : null],
    );
    await insertEvents(client, events);
  });
}

export interface NewRecipientAt extends NewRecipient {
  /** The source line the row starts at: a later repeat of its number names it. */
  line?: number;
}

/**
 * One multi-row insert per batch (unnest keeps it one statement with six parameters), in recipient
 * order. A number already in the campaign, earlier in this batch or in an earlier one, is dropped
 * by the unique index on (campaign_id, phone): the ids of the rows stored are returned.
 */
export async function insertRecipients(pool: Pool, campaignId: string, rows: NewRecipientAt[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const res = await pool.query<{ recipient_id: number }>(
    `INSERT INTO campaign_recipients (campaign_id, recipient_id, phone, params, time_zone, source_line)
     SELECT $1, r.id, r.phone, r.params::jsonb, r.tz, r.line
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[]) AS r(id, phone, params, tz, line) ORDER BY r.id
     ON CONFLICT DO NOTHING RETURNING recipient_id`,
    [
      campaignId,
      rows.map((r) => r.recipientId),
      rows.map((r) => r.phone),
      rows.map((r) => (r.params ? JSON.stringify(r.params) : null)),
      rows.map((r) => r.timeZone ?? null),
      rows.map((r) => r.line ?? null),
    ],
  );
  return res.rows.map((r) => r.recipient_id);
}

/** The source line of each number's stored row (the first occurrence), for reporting repeats. */
export async function firstLinesOf(pool: Pool, campaignId: string, phones: string[]): Promise<Map<string, number>> {
  if (phones.length === 0) return new Map();
  const res = await pool.query<{ phone: string; source_line: number | null }>(
    `SELECT phone, source_line FROM campaign_recipients WHERE campaign_id = $1 AND phone = ANY($2::text[]) AND phone <> ''`,
    [campaignId, [...new Set(phones)]],
  );
  return new Map(res.rows.map((r) => [r.phone, r.source_line ?? 0]));
}

/** An import that could not finish: the campaign is `failed` with the reason, never left `importing`. */
export async function failCampaign(pool: Pool, id: string, reason: string): Promise<void> {
  await pool.query(`UPDATE campaigns SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1`, [
    id,
    reason,
  ]);
}

export async function countRecipients(
  pool: Pool,
  campaignId: string,
): Promise<{
  total: number;
  byStatus: Partial<Record<RecipientStatus, number>>;
  byProvider: Record<string, number>;
  fallbackUsed: number;
}> {
  const res = await pool.query<{ status: RecipientStatus; provider: string | null; fallback_used: boolean; n: string }>(
    'SELECT status, provider, fallback_used, count(*) AS n FROM campaign_recipients WHERE campaign_id = $1 GROUP BY 1, 2, 3',
    [campaignId],
  );
  const out = {
    total: 0,
    byStatus: {} as Partial<Record<RecipientStatus, number>>,
    byProvider: {} as Record<string, number>,
    fallbackUsed: 0,
  };
  for (const row of res.rows) {
    const n = Number(row.n);
    out.total += n;
    out.byStatus[row.status] = (out.byStatus[row.status] ?? 0) + n;
    if (row.provider) out.byProvider[row.provider] = (out.byProvider[row.provider] ?? 0) + n;
    if (row.fallback_used) out.fallbackUsed += n;
  }
  return out;
}

/** Pending recipients after `after`, in recipient order: the workflow's page. */
export async function pendingRecipientPage(
  pool: Pool,
  campaignId: string,
  after: number,
  limit: number,
): Promise<CampaignRecipient[]> {
  const res = await pool.query<{
    recipient_id: number;
    phone: string;
    params: string[] | null;
    time_zone: string | null;
  }>(
    `SELECT recipient_id, phone, params, time_zone FROM campaign_recipients
     WHERE campaign_id = $1 AND status = 'pending' AND recipient_id > $2 ORDER BY recipient_id LIMIT $3`,
    [campaignId, after, limit],
  );
  return res.rows.map((r) => ({
    recipientId: r.recipient_id,
    phone: r.phone,
    ...(r.params ? { params: r.params } : {}),
    ...(r.time_zone ? { timeZone: r.time_zone } : {}),
  }));
}

/** Writes a batch of outcomes and the counters; `events` are stored in the same transaction. */
export async function recordRecipientOutcomes(
  pool: Pool,
  campaignId: string,
  rows: RecipientOutcome[],
  counters?: CampaignCounters,
  events: KurirEventInput[] = [],
): Promise<void> {
  await inTransaction(pool, async (client) => {
    if (rows.length > 0) {
      await client.query(
        `UPDATE campaign_recipients c SET status = r.status, outcome = r.outcome, provider = r.provider, fallback_used = r.fb,
           attempts = r.attempts, updated_at = now()
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::jsonb[])
           AS r(id, status, outcome, provider, fb, attempts)
         WHERE c.campaign_id = $1 AND c.recipient_id = r.id`,
        [
          campaignId,
          rows.map((r) => r.recipientId),
          rows.map((r) => r.status),
          rows.map((r) => r.outcome),
          rows.map((r) => r.provider ?? null),
          rows.map((r) => r.fallbackUsed),
          rows.map((r) => (r.attempts ? JSON.stringify(r.attempts) : null)),
        ],
      );
    }
    if (counters)
      await client.query('UPDATE campaigns SET counters = $2, updated_at = now() WHERE id = $1', [
        campaignId,
        JSON.stringify(counters),
      ]);
    await insertEvents(client, events);
  });
}

/** After a cancel: every recipient still pending was not sent. */
export async function markNotSent(pool: Pool, campaignId: string): Promise<number> {
  const res = await pool.query(
    "UPDATE campaign_recipients SET status = 'not_sent', updated_at = now() WHERE campaign_id = $1 AND status = 'pending'",
    [campaignId],
  );
  return res.rowCount ?? 0;
}

export interface RecipientRow {
  recipient_id: number;
  phone: string;
  params: string[] | null;
  time_zone: string | null;
  status: RecipientStatus;
  outcome: string | null;
  provider: string | null;
  fallback_used: boolean;
  updated_at: Date;
}

export async function listRecipients(
  pool: Pool,
  campaignId: string,
  opts: { status?: RecipientStatus; after: number; limit: number },
): Promise<RecipientRow[]> {
  const res = await pool.query<RecipientRow>(
    `SELECT recipient_id, phone, params, time_zone, status, outcome, provider, fallback_used, updated_at FROM campaign_recipients
     WHERE campaign_id = $1 AND recipient_id > $2 AND ($3::text IS NULL OR status = $3) ORDER BY recipient_id LIMIT $4`,
    [campaignId, opts.after, opts.status ?? null, opts.limit],
  );
  return res.rows;
}

/** A campaign recipient's message as stored: its status, outcome and (once finished) its attempts. */
export async function getRecipientMessage(
  pool: Pool,
  campaignId: string,
  recipientId: number,
): Promise<
  { status: RecipientStatus; outcome: string | null; attempts: Attempt[] | null; mode: string | null } | undefined
> {
  const res = await pool.query<{
    status: RecipientStatus;
    outcome: string | null;
    attempts: Attempt[] | null;
    mode: string | null;
  }>(
    `SELECT r.status, r.outcome, r.attempts, c.template->>'mode' AS mode
       FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id
      WHERE r.campaign_id = $1 AND r.recipient_id = $2`,
    [campaignId, recipientId],
  );
  return res.rows[0];
}
