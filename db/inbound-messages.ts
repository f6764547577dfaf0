// inbound_messages: what customers sent to us.
import type pg from 'pg';
import type { InboundMessage } from '../providers/types.js';
import { insertEvents } from './events.js';
import type { Pool } from './pool.js';

/**
 * Stores an inbound message and, when it is new, its inbound.received event in the same transaction.
 * True when it was new (inbox polling counts them).
 */
export async function storeInbound(client: pg.PoolClient, m: InboundMessage): Promise<boolean> {
  const res = await client.query<{ id: string }>(
    `INSERT INTO inbound_messages (provider, provider_message_id, sender, recipient, type, text, media_url, received_at, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (provider, provider_message_id) DO NOTHING RETURNING id`,
    [
      m.provider,
      m.providerMessageId,
      m.from,
      m.to ?? null,
      m.type,
      m.text ?? null,
      m.mediaUrl ?? null,
      m.receivedAt,
      JSON.stringify(m.raw),
    ],
  );
  const id = res.rows[0]?.id;
  if (id === undefined) return false;
  // No sender number or text in the event: the application reads them from GET /v1/inbound.
  await insertEvents(client, [
    {
      id: `inbound:${m.provider}:${m.providerMessageId}`,
      type: 'inbound.received',
      provider: m.provider,
      occurredAt: m.receivedAt.toISOString(),
      data: { inboundId: id, providerMessageId: m.providerMessageId, type: m.type },
    },
  ]);
  return true;
}

export interface InboundRow {
  id: string;
  provider: string;
  provider_message_id: string;
  sender: string;
  recipient: string | null;
  type: string;
  text: string | null;
  media_url: string | null;
  received_at: Date;
}

export async function listInbound(
  pool: Pool,
  opts: { limit: number; beforeId?: string; provider?: string },
): Promise<InboundRow[]> {
  const res = await pool.query<InboundRow>(
    `SELECT id, provider, provider_message_id, sender, recipient, type, text, media_url, received_at FROM inbound_messages
     WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR provider = $2) ORDER BY id DESC LIMIT $3`,
    [opts.beforeId ?? null, opts.provider ?? null, opts.limit],
  );
  return res.rows;
}
