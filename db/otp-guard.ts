// The OTP guard's database side (migration 016, otp_guard_admit): a prefix's block and conversion,
// and the sliding windows, checked and taken in one round trip. Every API process shares them.
import type { Pool } from './pool.js';

export interface GuardWindow {
  /** What is limited: api_key, ip, prefix, country. */
  scope: string;
  /** Its value (an API key's name, a keyed hash of an address or a prefix, a country code). */
  key: string;
  limit: number;
  windowMs: number;
}

export interface AdmitInput {
  otpId: string;
  /** The number without its last four digits, kept as digits only when it gets blocked. */
  prefix: string;
  prefixHash: string;
  country: string;
  conversion: { windowMs: number; settleMs: number; minSends: number; minConversion: number; blockMs: number };
  windows: GuardWindow[];
}

export type AdmitResult =
  | { outcome: 'admitted' }
  | { outcome: 'prefix_blocked'; until: Date; newlyBlocked: boolean; sends?: number; verified?: number }
  | { outcome: 'rate_limited'; scope: string; freesAt: Date };

/** Admits an OTP start (recording it and taking a slot in every window) or says why not. */
export async function admitOtpStart(pool: Pool, a: AdmitInput): Promise<AdmitResult> {
  const c = a.conversion;
  const res = await pool.query<{
    outcome: AdmitResult['outcome'];
    until: Date | null;
    newly_blocked: boolean;
    sends: number | null;
    verified: number | null;
    full_scope: string | null;
    frees_at: Date | null;
  }>(
    `SELECT * FROM otp_guard_admit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::text[], $12::int[], $13::bigint[])`,
    [
      a.otpId,
      a.prefix,
      a.prefixHash,
      a.country,
      c.windowMs,
      c.settleMs,
      c.minSends,
      c.minConversion,
      c.blockMs,
      a.windows.map((w) => w.scope),
      a.windows.map((w) => w.key),
      a.windows.map((w) => w.limit),
      a.windows.map((w) => w.windowMs),
    ],
  );
  const row = res.rows[0]!;
  if (row.outcome === 'rate_limited')
    return { outcome: 'rate_limited', scope: row.full_scope!, freesAt: row.frees_at! };
  if (row.outcome === 'prefix_blocked')
    return {
      outcome: 'prefix_blocked',
      until: row.until!,
      newlyBlocked: row.newly_blocked,
      ...(row.sends !== null ? { sends: row.sends, verified: row.verified ?? 0 } : {}),
    };
  return { outcome: 'admitted' };
}
