// The OTP guard's counters in PostgreSQL (migration 014, otp_guard_take): every API process shares
// them, and one call checks and takes a slot in every window at once.
import type { Pool } from './pool.js';

export interface GuardWindow {
  /** What is limited: api_key, ip, prefix, country. */
  scope: string;
  /** Its value (an API key's name, an address, a number prefix, a country code). */
  key: string;
  limit: number;
  windowMs: number;
}

export interface FullWindow {
  scope: string;
  used: number;
  freesAt: Date;
}

/** Takes a slot in every window, or none when one is full; returns the full ones. */
export async function takeGuardSlots(pool: Pool, windows: GuardWindow[]): Promise<FullWindow[]> {
  if (windows.length === 0) return [];
  const res = await pool.query<{ scope: string; used: number; frees_at: Date }>(
    'SELECT scope, used, frees_at FROM otp_guard_take($1::text[], $2::text[], $3::int[], $4::bigint[])',
    [
      windows.map((w) => w.scope),
      windows.map((w) => w.key),
      windows.map((w) => w.limit),
      windows.map((w) => w.windowMs),
    ],
  );
  return res.rows.map((r) => ({ scope: r.scope, used: r.used, freesAt: r.frees_at }));
}
