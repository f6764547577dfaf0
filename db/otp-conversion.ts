// Codes sent vs verified per number prefix (migration 015), and the prefixes blocked for it.
import type { Pool } from './pool.js';

export interface PrefixState {
  /** Until when the prefix is blocked, when it is. */
  blockedUntil?: Date;
  /** Starts old enough to have been verified (older than `settleMs`), inside the window, since the prefix's last block ended. */
  sends: number;
  verified: number;
}

/** One query: the prefix's block, and its settled sends and verifications in the window. */
export async function prefixState(
  pool: Pool,
  prefixHash: string,
  opts: { windowMs: number; settleMs: number },
): Promise<PrefixState> {
  const res = await pool.query<{ until: Date | null; sends: string; verified: string }>(
    `WITH b AS (SELECT until, unblocked_at FROM otp_prefix_blocks WHERE prefix_hash = $1)
     SELECT (SELECT until FROM b WHERE unblocked_at IS NULL AND until > now()) AS until,
            count(s.otp_id) AS sends,
            count(s.otp_id) FILTER (WHERE EXISTS (SELECT 1 FROM events e WHERE e.otp_id = s.otp_id AND e.type = 'otp.approved')) AS verified
       FROM otp_starts s
      WHERE s.prefix_hash = $1
        AND s.started_at > greatest(now() - make_interval(secs => $2::double precision / 1000),
                                    coalesce((SELECT coalesce(unblocked_at, until) FROM b), '-infinity'))
        AND s.started_at <= now() - make_interval(secs => $3::double precision / 1000)`,
    [prefixHash, opts.windowMs, opts.settleMs],
  );
  const row = res.rows[0]!;
  return {
    ...(row.until ? { blockedUntil: row.until } : {}),
    sends: Number(row.sends),
    verified: Number(row.verified),
  };
}

export async function recordOtpStart(
  pool: Pool,
  start: { otpId: string; prefixHash: string; country: string },
): Promise<void> {
  await pool.query(
    'INSERT INTO otp_starts (otp_id, prefix_hash, country) VALUES ($1, $2, $3) ON CONFLICT (otp_id) DO NOTHING',
    [start.otpId, start.prefixHash, start.country],
  );
}

/** Forgets starts older than the conversion window (they no longer count); a bounded batch. */
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

/** Blocks (or blocks again) a prefix until `until`; returns until when. */
export async function blockPrefix(
  pool: Pool,
  block: { prefix: string; prefixHash: string; country: string; forMs: number; sends: number; verified: number },
): Promise<Date> {
  const res = await pool.query<{ until: Date }>(
    `INSERT INTO otp_prefix_blocks (prefix, prefix_hash, country, until, sends, verified)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000), $5, $6)
     ON CONFLICT (prefix) DO UPDATE SET blocked_at = now(), until = EXCLUDED.until, sends = EXCLUDED.sends,
       verified = EXCLUDED.verified, unblocked_at = NULL
     RETURNING until`,
    [block.prefix, block.prefixHash, block.country, block.forMs, block.sends, block.verified],
  );
  return res.rows[0]!.until;
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
