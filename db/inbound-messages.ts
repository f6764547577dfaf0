// inbound_messages: what customers sent to us.
import type pg from 'pg';
import type { InboundMessage } from '../providers/types.js';
import { DEFAULT_OPT_KEYWORDS, optKeywordOf, type OptKeywords } from '../domain/opt-keywords.js';
import { isE164 } from '../domain/phone.js';
import { insertEvents } from './events.js';
import { suppress, unsuppress } from './suppressions.js';
import type { Pool } from './pool.js';

/**
 * Stores an inbound message and, when it is new, its inbound.received event in the same transaction.
 * True when it was new (inbox polling counts them).
 */
export async function storeInbound(
  client: pg.PoolClient,
  m: InboundMessage,
  keywords: OptKeywords = DEFAULT_OPT_KEYWORDS,
): Promise<boolean> {
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
  await applyOptKeyword(client, m, keywords);
  return true;
}

/**
 * STOP (and the other opt-out words) suppresses the sender on the channel it wrote on; START lifts
 * it. The newest word wins whatever order the messages are stored in (a provider's retries, two
 * relay drains, two API replicas): one word per number and channel at a time (a transaction lock),
 * and a word is not applied when a newer one from the sender is already stored.
 */
async function applyOptKeyword(client: pg.PoolClient, m: InboundMessage, keywords: OptKeywords): Promise<void> {
  const keyword = optKeywordOf(m.text, keywords);
  if (!keyword) return;
  const phone = e164OfSender(m.from);
  if (!phone) return;
  const channel = INBOUND_CHANNEL[m.provider];
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`opt-keyword:${channel}:${phone}`]);
  if (await newerKeywordStored(client, m, phone, channel, keywords)) return;
  if (keyword === 'opt_out')
    await suppress(client, {
      phone,
      channel,
      reason: `keyword ${m.text!.trim().toUpperCase()}`,
      source: `inbound:${m.provider}`,
    });
  else await unsuppress(client, phone, channel, `inbound:${m.provider}`);
}

/** Whether the sender wrote an opt keyword on `channel` after `m` (later, or as late and stored after it). */
async function newerKeywordStored(
  client: pg.PoolClient,
  m: InboundMessage,
  phone: string,
  channel: 'whatsapp' | 'sms',
  keywords: OptKeywords,
): Promise<boolean> {
  const providers = Object.entries(INBOUND_CHANNEL)
    .filter(([, c]) => c === channel)
    .map(([p]) => p);
  const res = await client.query<{ text: string | null }>(
    `SELECT text FROM inbound_messages
     WHERE provider = ANY($1) AND regexp_replace(sender, '[^0-9]', '', 'g') = $2 AND text IS NOT NULL
       AND (received_at > $3 OR (received_at = $3 AND id > (SELECT id FROM inbound_messages WHERE provider = $4 AND provider_message_id = $5)))`,
    [providers, phone.slice(1), m.receivedAt, m.provider, m.providerMessageId],
  );
  return res.rows.some((r) => optKeywordOf(r.text ?? undefined, keywords) !== undefined);
}

// The channel each provider's inbound messages arrive on.
const INBOUND_CHANNEL: Record<InboundMessage['provider'], 'whatsapp' | 'sms'> = {
  wappin: 'whatsapp',
  itd: 'whatsapp',
  nusasms: 'whatsapp',
  engagelab: 'whatsapp',
  'sms-masking': 'sms',
};

/** Providers name the sender as digits with the country code (6281…), sometimes with a +. */
function e164OfSender(from: string): string | undefined {
  const e164 = `+${from.replace(/[^\d]/g, '')}`;
  return isE164(e164) ? e164 : undefined;
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
