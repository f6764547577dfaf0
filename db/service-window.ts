// The WhatsApp customer-service window (issue #19): free-form (session) messages may go to a
// customer within WHATSAPP_SERVICE_WINDOW of their last inbound message; outside it only templates.
// The window opens when the customer wrote: the provider's time when it is plausible (not after
// kurir stored the message, not more than a day before), else when kurir stored it.
import type { Pool } from './pool.js';

export async function lastInboundAt(pool: Pool, provider: string, e164: string): Promise<Date | undefined> {
  const res = await pool.query<{ at: Date | null }>(
    `SELECT max(CASE WHEN received_at <= stored_at AND received_at > stored_at - interval '1 day'
                     THEN received_at ELSE stored_at END) AS at
       FROM inbound_messages
      WHERE provider = $1 AND regexp_replace(sender, '[^0-9]', '', 'g') = $2`,
    [provider, e164.replace(/\D/g, '')],
  );
  return res.rows[0]?.at ?? undefined;
}

export interface ServiceWindow {
  provider: string;
  lastInboundAt: string | null;
  open: boolean;
  closesAt: string | null;
}

export async function serviceWindowOf(
  pool: Pool,
  provider: string,
  e164: string,
  windowMs: number,
  now = Date.now(),
): Promise<ServiceWindow> {
  const last = await lastInboundAt(pool, provider, e164);
  const closes = last ? last.getTime() + windowMs : undefined;
  return {
    provider,
    lastInboundAt: last?.toISOString() ?? null,
    open: closes !== undefined && closes > now,
    closesAt: closes !== undefined ? new Date(closes).toISOString() : null,
  };
}
