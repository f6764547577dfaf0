// suppressions (migration 018): who asked not to be messaged, on which channel (or all). Marketing
// and utility steps to them are skipped (activities/message-activities.ts); OTPs never are.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { insertEvents } from './events.js';
import type { Pool } from './pool.js';

export type SuppressionChannel = 'whatsapp' | 'sms' | 'all';

export interface Suppression {
  phone: string;
  channel: SuppressionChannel;
  reason: string;
  source: string;
  createdAt: Date;
}

type Db = Pool | pg.PoolClient;
interface Row {
  phone: string;
  channel: SuppressionChannel;
  reason: string;
  source: string;
  created_at: Date;
}
const toSuppression = (r: Row): Suppression => ({
  phone: r.phone,
  channel: r.channel,
  reason: r.reason,
  source: r.source,
  createdAt: r.created_at,
});

/** Suppresses `phone` on `channel` (again: the reason and source are replaced) and emits recipient.suppressed. */
export async function suppress(
  db: Db,
  s: { phone: string; channel: SuppressionChannel; reason: string; source: string },
): Promise<Suppression> {
  const res = await db.query<Row>(
    `INSERT INTO suppressions (phone, channel, reason, source) VALUES ($1, $2, $3, $4)
     ON CONFLICT (phone, channel) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source, created_at = now()
     RETURNING *`,
    [s.phone, s.channel, s.reason, s.source],
  );
  const row = toSuppression(res.rows[0]!);
  await insertEvents(db, [suppressionEvent('recipient.suppressed', row)]);
  return row;
}

/** Lifts suppressions of `phone` (on one channel, or every one); emits recipient.unsuppressed for each. */
export async function unsuppress(
  db: Db,
  phone: string,
  channel: SuppressionChannel | undefined,
  source: string,
): Promise<Suppression[]> {
  const res = await db.query<Row>(
    'DELETE FROM suppressions WHERE phone = $1 AND ($2::text IS NULL OR channel = $2) RETURNING *',
    [phone, channel ?? null],
  );
  const rows = res.rows.map(toSuppression);
  if (rows.length)
    await insertEvents(
      db,
      rows.map((r) => suppressionEvent('recipient.unsuppressed', { ...r, source })),
    );
  return rows;
}

/** The suppression that applies to `phone` on `channel` (its own, or one for all channels). */
export async function suppressionOf(
  db: Db,
  phone: string,
  channel: 'whatsapp' | 'sms',
): Promise<Suppression | undefined> {
  const res = await db.query<Row>(
    "SELECT * FROM suppressions WHERE phone = $1 AND channel IN ($2, 'all') ORDER BY channel = 'all' LIMIT 1",
    [phone, channel],
  );
  return res.rows[0] ? toSuppression(res.rows[0]) : undefined;
}

/** Newest first; `phone` narrows to one number; `before` pages (the createdAt of the last item). */
export async function listSuppressions(
  db: Db,
  opts: { phone?: string; limit: number; before?: Date },
): Promise<Suppression[]> {
  const res = await db.query<Row>(
    `SELECT * FROM suppressions WHERE ($1::text IS NULL OR phone = $1) AND ($2::timestamptz IS NULL OR created_at < $2)
      ORDER BY created_at DESC, phone LIMIT $3`,
    [opts.phone ?? null, opts.before ?? null, opts.limit],
  );
  return res.rows.map(toSuppression);
}

// No phone number in an event (events.data never holds one): the event says which channel, why and
// who; the application that cares already knows the number it suppressed, or reads GET /v1/suppressions.
function suppressionEvent(type: 'recipient.suppressed' | 'recipient.unsuppressed', s: Suppression) {
  return {
    id: `${type}:${randomUUID()}`,
    type,
    occurredAt: new Date().toISOString(),
    data: { channel: s.channel, reason: s.reason, source: s.source },
  } as const;
}
