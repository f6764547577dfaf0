// otp_sends: the codes sent (as HMACs) and the per-number send limit.
import type pg from 'pg';
import type { Pool } from './pool.js';
import { inTransaction } from './transaction.js';

export interface OtpSendRow {
  code_hash: string | null; provider: string; channel: string; provider_message_id: string; sent_at: Date;
}

export async function findOtpSend(pool: Pool, otpId: string, step: number): Promise<OtpSendRow | undefined> {
  const res = await pool.query<OtpSendRow>('SELECT code_hash, provider, channel, provider_message_id, sent_at FROM otp_sends WHERE otp_id = $1 AND step = $2', [otpId, step]);
  return res.rows[0];
}

const OVER_LIMIT = Symbol('over the send limit');

/**
 * Runs `send` only while the number is under its limit, holding a per-number lock so that
 * concurrent OTPs for one number cannot both pass the check. Returns undefined when over the limit.
 */
export async function withinSendLimit<T>(pool: Pool, recipientHash: string, limit: number, windowMs: number, send: (client: pg.PoolClient) => Promise<T>): Promise<T | undefined> {
  // Over the limit: throw the marker so the transaction rolls back, then answer undefined.
  try {
    return await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [recipientHash]);
      const res = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM otp_sends WHERE recipient_hash = $1 AND sent_at > now() - make_interval(secs => $2)', [recipientHash, windowMs / 1000]);
      if (Number(res.rows[0]!.n) >= limit) throw OVER_LIMIT;
      return send(client);
    });
  } catch (err) {
    if (err === OVER_LIMIT) return undefined;
    throw err;
  }
}

export async function insertOtpSend(client: pg.PoolClient, row: { otpId: string; step: number; recipientHash: string; codeHash?: string; provider: string; channel: string; providerMessageId: string }): Promise<void> {
  await client.query(
    `INSERT INTO otp_sends (otp_id, step, recipient_hash, code_hash, provider, channel, provider_message_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING`,
    [row.otpId, row.step, row.recipientHash, row.codeHash ?? null, row.provider, row.channel, row.providerMessageId]);
}
