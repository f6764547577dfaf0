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

/** The quantile `q` of a histogram over upper `bounds` (seconds), interpolated inside its bucket. */
export function histogramQuantile(bounds: number[], counts: number[], q: number): number | null {
  const total = counts.reduce((x, y) => x + y, 0);
  if (total <= 0) return null;
  const target = q * total;
  let below = 0;
  for (const [i, n] of counts.entries()) {
    if (n > 0 && below + n >= target) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return Number.isFinite(upper) ? lower + ((upper - lower) * (target - below)) / n : lower;
    }
    below += n;
  }
  return bounds.at(-2) ?? null;
}

interface Tally {
  provider: string;
  channel: string;
  sends: number;
  delivered: number;
  read: number;
  failed: number;
  fell_back: number;
  suppressed: number;
  to_delivered: number[];
  to_read: number[];
}
type TallyRow = {
  [K in keyof Tally]: Tally[K] extends number[] ? string[] : Tally[K] extends number ? string : string;
};

/**
 * Delivery KPIs of the attempts sent in the last `windowMs`: the whole hours from delivery_hourly,
 * and the attempts of the window's first, partial hour read one by one (at most an hour of them).
 * Times to delivered and to read are quantiles of the hourly histograms (delivery_buckets()).
 */
export async function deliveryStats(pool: Pool, windowMs: number): Promise<DeliveryStats> {
  const start = 'now() - make_interval(secs => $1::double precision / 1000)';
  const edge = `date_trunc('hour', ${start}) + interval '1 hour'`;
  const bucket = (col: string) =>
    `CASE WHEN ${col} IS NULL THEN NULL ELSE (SELECT count(*) FROM unnest(delivery_buckets()) b WHERE b < greatest(0, extract(epoch FROM ${col} - accepted_at))) + 1 END`;
  const [bounds, hours, partial, reasons] = await Promise.all([
    pool.query<{ b: number[] }>('SELECT delivery_buckets() AS b'),
    pool.query<TallyRow>(
      `SELECT provider, channel, sends, delivered, read, failed, fell_back, suppressed, to_delivered, to_read
         FROM delivery_hourly WHERE hour >= ${edge}`,
      [windowMs],
    ),
    pool.query<Omit<TallyRow, 'to_delivered' | 'to_read'> & { d: string | null; r: string | null }>(
      `SELECT coalesce(provider, 'unknown') AS provider, coalesce(channel, 'unknown') AS channel,
              count(*) FILTER (WHERE accepted_at IS NOT NULL OR failed_at IS NOT NULL) AS sends, count(delivered_at) AS delivered, count(read_at) AS read, count(failed_at) AS failed,
              count(*) FILTER (WHERE fallback_reason <> 'suppressed') AS fell_back, count(*) FILTER (WHERE fallback_reason = 'suppressed') AS suppressed,
              ${bucket('delivered_at')} AS d, ${bucket('read_at')} AS r
         FROM delivery_attempts WHERE at > ${start} AND at < ${edge}
        GROUP BY 1, 2, 9, 10`,
      [windowMs],
    ),
    pool.query<{ reason: string; count: string }>(
      `SELECT fallback_reason AS reason, count(*) AS count FROM delivery_attempts
        WHERE at > ${start} AND fallback_reason IS NOT NULL GROUP BY 1 ORDER BY count DESC, reason`,
      [windowMs],
    ),
  ]);
  const b = bounds.rows[0]!.b.map(Number);
  const tallies = new Map<string, Tally>();
  const tally = (provider: string, channel: string) => {
    const key = `${provider}\u0000${channel}`;
    let t = tallies.get(key);
    if (!t) {
      const zeros = () => b.map(() => 0);
      t = {
        provider,
        channel,
        sends: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        fell_back: 0,
        suppressed: 0,
        to_delivered: zeros(),
        to_read: zeros(),
      };
      tallies.set(key, t);
    }
    return t;
  };
  const COUNTS = ['sends', 'delivered', 'read', 'failed', 'fell_back', 'suppressed'] as const;
  for (const row of hours.rows) {
    const t = tally(row.provider, row.channel);
    for (const k of COUNTS) t[k] += Number(row[k]);
    row.to_delivered.forEach((n, i) => (t.to_delivered[i]! += Number(n)));
    row.to_read.forEach((n, i) => (t.to_read[i]! += Number(n)));
  }
  for (const row of partial.rows) {
    const t = tally(row.provider, row.channel);
    for (const k of COUNTS) t[k] += Number(row[k]);
    if (row.d !== null) t.to_delivered[Number(row.d) - 1]! += Number(row.delivered);
    if (row.r !== null) t.to_read[Number(row.r) - 1]! += Number(row.read);
  }
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  const q = (counts: number[], p: number) => round(histogramQuantile(b, counts, p));
  return {
    byProvider: [...tallies.values()]
      .filter((t) => t.sends > 0 || t.suppressed > 0)
      .sort((x, y) => y.sends - x.sends || x.provider.localeCompare(y.provider) || x.channel.localeCompare(y.channel))
      .map((t) => ({
        provider: t.provider,
        channel: t.channel,
        sends: t.sends,
        delivered: t.delivered,
        read: t.read,
        failed: t.failed,
        fellBack: t.fell_back,
        suppressed: t.suppressed,
        deliveryRate: t.sends ? t.delivered / t.sends : null,
        readRate: t.sends ? t.read / t.sends : null,
        toDelivered: { p50: q(t.to_delivered, 0.5), p90: q(t.to_delivered, 0.9) },
        toRead: { p50: q(t.to_read, 0.5), p90: q(t.to_read, 0.9) },
      })),
    fallbackReasons: reasons.rows.map((r) => ({ reason: r.reason, count: Number(r.count) })),
  };
}
