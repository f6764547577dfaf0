// Codes sent vs verified per number prefix (migration 015), and the prefixes blocked for it: what
// an operator reads and lifts. Admitting a start, and blocking, is otp_guard_admit's (db/otp-guard.ts).
import type { Pool } from './pool.js';

/** Forgets starts older than `windowMs` (nothing reads them any more); a bounded batch. */
export async function pruneOtpStarts(pool: Pool, windowMs: number): Promise<number> {
  const res = await pool.query(
    `DELETE FROM otp_starts WHERE otp_id IN (
       SELECT otp_id FROM otp_starts WHERE started_at < now() - make_interval(secs => $1::double precision / 1000) LIMIT 10000)`,
    [windowMs],
  );
  return res.rowCount ?? 0;
}

export interface PrefixBlock {
  prefix: string;
  country: string;
  blockedAt: Date;
  until: Date;
  sends: number;
  verified: number;
}

/** The prefixes blocked now, newest first. */
export async function activeBlocks(pool: Pool): Promise<PrefixBlock[]> {
  const res = await pool.query<{
    prefix: string;
    country: string;
    blocked_at: Date;
    until: Date;
    sends: number;
    verified: number;
  }>(
    `SELECT prefix, country, blocked_at, until, sends, verified FROM otp_prefix_blocks
      WHERE unblocked_at IS NULL AND until > now() ORDER BY blocked_at DESC`,
  );
  return res.rows.map((r) => ({
    prefix: r.prefix,
    country: r.country,
    blockedAt: r.blocked_at,
    until: r.until,
    sends: r.sends,
    verified: r.verified,
  }));
}

/** Lifts a block; false when the prefix is not blocked. Starts before now no longer count against it. */
export async function unblockPrefix(pool: Pool, prefix: string): Promise<boolean> {
  const res = await pool.query(
    'UPDATE otp_prefix_blocks SET unblocked_at = now() WHERE prefix = $1 AND unblocked_at IS NULL AND until > now()',
    [prefix],
  );
  return (res.rowCount ?? 0) > 0;
}
