// events: the outbox. Inserting is idempotent per event id; the table's trigger fans each new
// event out to webhook deliveries and notifies `kurir_events` in the same transaction.
import type pg from 'pg';
import type { KurirEvent, KurirEventInput } from '../workflows/event-types.js';
import { EVENT_VERSION } from '../workflows/event-types.js';
import type { Pool } from './pool.js';

/**
 * Event inserts take this transaction-scoped lock, so `seq` order is commit order: a stream that
 * resumes after seq N can never miss an event with a smaller seq committed later.
 */
const EVENTS_LOCK = 7_402_118;

export interface EventFilter {
  messageId?: string;
  otpId?: string;
  campaignId?: string;
  reference?: string;
  types?: string[];
}

interface EventRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  message_id: string | null;
  otp_id: string | null;
  campaign_id: string | null;
  reference: string | null;
  provider: string | null;
  channel: string | null;
  occurred_at: Date;
  data: Record<string, unknown>;
}

const subjectOf = (e: KurirEventInput) => e.messageId ?? e.otpId ?? e.campaignId ?? `event:${e.id}`;

/**
 * Inserts events in one statement, taking the order lock in it: inside the caller's transaction
 * (the lock is held until it commits) or alone (the statement is its own transaction, so a batch
 * costs one round trip, not four). Returns how many were new.
 */
export async function insertEvents(db: Pool | pg.PoolClient, events: KurirEventInput[]): Promise<number> {
  if (events.length === 0) return 0;
  const column = <T>(pick: (e: KurirEventInput) => T) => events.map(pick);
  // The CROSS JOIN makes every row wait for the lock before its seq is drawn.
  const res = await db.query(
    `WITH ordered AS (SELECT pg_advisory_xact_lock($1))
     INSERT INTO events (id, type, version, message_id, otp_id, campaign_id, reference, provider, channel, subject, occurred_at, data)
     SELECT e.* FROM ordered CROSS JOIN unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::text[], $11::text[], $12::timestamptz[], $13::jsonb[])
       AS e(id, type, version, message_id, otp_id, campaign_id, reference, provider, channel, subject, occurred_at, data)
     ON CONFLICT (id) DO NOTHING`,
    [
      EVENTS_LOCK,
      column((e) => e.id),
      column((e) => e.type),
      column(() => EVENT_VERSION),
      column((e) => e.messageId ?? null),
      column((e) => e.otpId ?? null),
      column((e) => e.campaignId ?? null),
      column((e) => e.reference ?? null),
      column((e) => e.provider ?? null),
      column((e) => e.channel ?? null),
      column(subjectOf),
      column((e) => e.occurredAt),
      column((e) => JSON.stringify(e.data ?? {})),
    ],
  );
  return res.rowCount ?? 0;
}

export function rowToEvent(r: EventRow): KurirEvent {
  const opt = <K extends string, V>(k: K, v: V | null) => (v === null ? {} : { [k]: v }) as Partial<Record<K, V>>;
  return {
    seq: Number(r.seq),
    id: r.id,
    type: r.type as KurirEvent['type'],
    version: r.version,
    ...opt('messageId', r.message_id),
    ...opt('otpId', r.otp_id),
    ...opt('campaignId', r.campaign_id),
    ...opt('reference', r.reference),
    ...opt('provider', r.provider as KurirEvent['provider'] | null),
    ...opt('channel', r.channel as KurirEvent['channel'] | null),
    occurredAt: r.occurred_at.toISOString(),
    data: r.data,
  };
}

export const EVENT_COLUMNS =
  'seq, id, type, version, message_id, otp_id, campaign_id, reference, provider, channel, occurred_at, data';

/** Events after `afterSeq` (and up to `toSeq`, when given) that match the filter, in stream order. */
export async function listEvents(
  pool: Pool,
  afterSeq: number,
  filter: EventFilter,
  limit = 500,
  toSeq?: number,
): Promise<KurirEvent[]> {
  const res = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1
       AND ($2::text IS NULL OR message_id = $2) AND ($3::text IS NULL OR otp_id = $3)
       AND ($4::text IS NULL OR campaign_id = $4) AND ($5::text IS NULL OR reference = $5)
       AND ($6::text[] IS NULL OR type = ANY ($6)) AND ($8::bigint IS NULL OR seq <= $8)
     ORDER BY seq LIMIT $7`,
    [
      afterSeq,
      filter.messageId ?? null,
      filter.otpId ?? null,
      filter.campaignId ?? null,
      filter.reference ?? null,
      filter.types?.length ? filter.types : null,
      limit,
      toSeq ?? null,
    ],
  );
  return res.rows.map(rowToEvent);
}

/** The newest seq (a stream with no Last-Event-ID starts after it). */
export async function lastEventSeq(pool: Pool): Promise<number> {
  const res = await pool.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM events');
  return Number(res.rows[0]?.seq ?? 0);
}
