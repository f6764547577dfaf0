// The operator's view read from PostgreSQL (migration 017: activity and delivery_attempts, kept
// from the events by a trigger): the activity feed of messages and OTPs, newest first, and the
// delivery KPIs per provider and channel over a window.
import type { Pool } from './pool.js';

export interface FeedFilter {
  kind?: 'message' | 'otp';
  /** An outcome (delivered, read, failed, approved, …) or `running` for those not ended. */
  outcome?: string;
  status?: string;
  provider?: string;
  channel?: string;
  reference?: string;
  campaignId?: string;
  from?: Date;
  to?: Date;
}

export interface FeedItem {
  id: string;
  kind: 'message' | 'otp';
  startedAt: string;
  updatedAt: string;
  step: number | null;
  status: string | null;
  outcome: string | null;
  provider: string | null;
  channel: string | null;
  reference: string | null;
  campaignId: string | null;
  fallbacks: number;
}

interface FeedRow {
  id: string;
  kind: 'message' | 'otp';
  /** started_at in microseconds (a Date keeps only milliseconds): the cursor's exact position. */
  us: string;
  started_at: Date;
  updated_at: Date;
  step: number | null;
  status: string | null;
  outcome: string | null;
  provider: string | null;
  channel: string | null;
  reference: string | null;
  campaign_id: string | null;
  fallbacks: number;
}

const encodeCursor = (r: FeedRow) => Buffer.from(JSON.stringify([r.us, r.id])).toString('base64url');

/** Whether a cursor is one this module made (the API answers 400 otherwise). */
export function isCursor(cursor: string): boolean {
  try {
    decodeCursor(cursor);
    return true;
  } catch {
    return false;
  }
}

function decodeCursor(cursor: string): [string, string] {
  const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Array.isArray(v) || v.length !== 2 || !/^-?\d{1,19}$/.test(String(v[0])) || typeof v[1] !== 'string')
    throw new Error('not a feed cursor');
  return [String(v[0]), v[1]];
}

/** A page of the feed, newest first; `next` is the cursor of the page after it. */
export async function listActivity(
  pool: Pool,
  filter: FeedFilter,
  page: { cursor?: string; limit: number },
): Promise<{ items: FeedItem[]; next?: string }> {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    args.push(value);
    where.push(sql.replace('?', `$${args.length}`));
  };
  if (filter.kind) add('kind = ?', filter.kind);
  if (filter.outcome === 'running') where.push('outcome IS NULL');
  else if (filter.outcome) add('outcome = ?', filter.outcome);
  if (filter.status) add('status = ?', filter.status);
  if (filter.provider) add('provider = ?', filter.provider);
  if (filter.channel) add('channel = ?', filter.channel);
  if (filter.reference) add('reference = ?', filter.reference);
  if (filter.campaignId) add('campaign_id = ?', filter.campaignId);
  if (filter.from) add('started_at >= ?', filter.from);
  if (filter.to) add('started_at < ?', filter.to);
  if (page.cursor) {
    const [us, id] = decodeCursor(page.cursor);
    args.push(us);
    add(`(started_at, id) < ('epoch'::timestamptz + $${args.length}::bigint * interval '1 microsecond', ?)`, id);
  }
  args.push(page.limit + 1);
  const res = await pool.query<FeedRow>(
    `SELECT *, (extract(epoch FROM started_at) * 1000000)::bigint AS us FROM activity
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, id DESC LIMIT $${args.length}`,
    args,
  );
  const rows = res.rows.slice(0, page.limit);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      startedAt: r.started_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      step: r.step,
      status: r.status,
      outcome: r.outcome,
      provider: r.provider,
      channel: r.channel,
      reference: r.reference,
      campaignId: r.campaign_id,
      fallbacks: r.fallbacks,
    })),
    ...(res.rows.length > page.limit ? { next: encodeCursor(rows.at(-1)!) } : {}),
  };
}

export interface ProviderKpis {
  provider: string;
  channel: string;
  sends: number;
  delivered: number;
  read: number;
  failed: number;
  fellBack: number;
  suppressed: number;
  deliveryRate: number | null;
  readRate: number | null;
  /** Seconds from the provider taking the message to delivered / read; null with none. */
  toDelivered: { p50: number | null; p90: number | null };
  toRead: { p50: number | null; p90: number | null };
}

export interface DeliveryStats {
  byProvider: ProviderKpis[];
  fallbackReasons: Array<{ reason: string; count: number }>;
}

type Num = string | number | null;
const num = (v: Num) => (v === null ? null : Number(v));

/** Delivery KPIs of the attempts made in the last `windowMs` (by when each was sent). */
export async function deliveryStats(pool: Pool, windowMs: number): Promise<DeliveryStats> {
  const since = 'at > now() - make_interval(secs => $1::double precision / 1000)';
  // Provider clocks may run behind ours: a negative time to delivered counts as zero.
  const secs = (col: string) => `greatest(0, extract(epoch FROM ${col} - accepted_at))`;
  const pct = (p: number, col: string) =>
    `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${secs(col)}) FILTER (WHERE ${col} IS NOT NULL AND accepted_at IS NOT NULL)`;
  const [kpis, reasons] = await Promise.all([
    pool.query<{
      provider: string;
      channel: string;
      sends: string;
      delivered: string;
      read: string;
      failed: string;
      fell_back: string;
      suppressed: string;
      d50: Num;
      d90: Num;
      r50: Num;
      r90: Num;
    }>(
      `SELECT coalesce(provider, 'unknown') AS provider, coalesce(channel, 'unknown') AS channel,
              count(*) AS sends, count(delivered_at) AS delivered, count(read_at) AS read,
              count(failed_at) AS failed, count(fallback_reason) AS fell_back,
              count(*) FILTER (WHERE fallback_reason = 'suppressed') AS suppressed,
              ${pct(0.5, 'delivered_at')} AS d50, ${pct(0.9, 'delivered_at')} AS d90,
              ${pct(0.5, 'read_at')} AS r50, ${pct(0.9, 'read_at')} AS r90
         FROM delivery_attempts WHERE ${since}
        GROUP BY 1, 2 ORDER BY sends DESC, provider, channel`,
      [windowMs],
    ),
    pool.query<{ reason: string; count: string }>(
      `SELECT fallback_reason AS reason, count(*) AS count FROM delivery_attempts
        WHERE ${since} AND fallback_reason IS NOT NULL GROUP BY 1 ORDER BY count DESC, reason`,
      [windowMs],
    ),
  ]);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    byProvider: kpis.rows.map((r) => {
      const sends = Number(r.sends);
      const delivered = Number(r.delivered);
      const read = Number(r.read);
      return {
        provider: r.provider,
        channel: r.channel,
        sends,
        delivered,
        read,
        failed: Number(r.failed),
        fellBack: Number(r.fell_back),
        suppressed: Number(r.suppressed),
        deliveryRate: sends ? delivered / sends : null,
        readRate: sends ? read / sends : null,
        toDelivered: { p50: round(num(r.d50)), p90: round(num(r.d90)) },
        toRead: { p50: round(num(r.r50)), p90: round(num(r.r90)) },
      };
    }),
    fallbackReasons: reasons.rows.map((r) => ({ reason: r.reason, count: Number(r.count) })),
  };
}
