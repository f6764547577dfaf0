// otp_sends: the codes sent (as HMACs) and the per-number send limit. A send is three short
// steps, none of which holds a connection while the provider is called: reserve a row (under the
// number's lock, counted by the limit), send, then record the answer (or release the row).
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';

export interface OtpSendRow {
  code_hash: string | null;
  provider: string;
  channel: string;
  provider_message_id: string | null;
  sent_at: Date;
}

export async function findOtpSend(pool: Pool, otpId: string, step: number): Promise<OtpSendRow | undefined> {
  const res = await pool.query<OtpSendRow>(
    'SELECT code_hash, provider, channel, provider_message_id, sent_at FROM otp_sends WHERE otp_id = $1 AND step = $2',
    [otpId, step],
  );
  return res.rows[0];
}

export interface OtpSendSlot {
  otpId: string;
  step: number;
  recipientHash: string;
  provider: string;
  channel: string;
}

/**
 * Reserves the row of one send while the number is under its limit, holding the number's lock
 * only for the count and the insert, so concurrent OTPs for one number cannot both pass. A row
 * already reserved for this (otp, step) (a retried activity) is reused and not counted again.
 * Returns false when the limit is reached.
 */
export async function reserveOtpSend(pool: Pool, slot: OtpSendSlot, limit: number, windowMs: number): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [slot.recipientHash]);
    const mine = await client.query('SELECT 1 FROM otp_sends WHERE otp_id = $1 AND step = $2', [slot.otpId, slot.step]);
    if (mine.rowCount) return true;
    const res = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM otp_sends WHERE recipient_hash = $1 AND sent_at > now() - make_interval(secs => $2)',
      [slot.recipientHash, windowMs / 1000],
    );
    if (Number(res.rows[0]!.n) >= limit) return false;
    await client.query(
      'INSERT INTO otp_sends (otp_id, step, recipient_hash, provider, channel) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [slot.otpId, slot.step, slot.recipientHash, slot.provider, slot.channel],
    );
    return true;
  });
}

/** Fills in a reserved row once the provider has taken the code. */
export async function completeOtpSend(
  pool: Pool,
  row: { otpId: string; step: number; codeHash?: string; channel: string; providerMessageId: string },
): Promise<void> {
  await pool.query(
    'UPDATE otp_sends SET code_hash = $3, channel = $4, provider_message_id = $5 WHERE otp_id = $1 AND step = $2',
    [row.otpId, row.step, row.codeHash ?? null, row.channel, row.providerMessageId],
  );
}

/** Gives a reservation back when the provider refused the send: a code that never left is not counted. */
export async function releaseOtpSend(pool: Pool, otpId: string, step: number): Promise<void> {
  await pool.query('DELETE FROM otp_sends WHERE otp_id = $1 AND step = $2 AND provider_message_id IS NULL', [
    otpId,
    step,
  ]);
}
