// What the OTP guard's visibility reads (issue #20): codes sent, OTPs verified and conversion per
// country and channel, and the guard's refusals per country and reason, over a recent window.
// Sends and verifications are the workflows' events (otp.sent, otp.approved) of the starts the guard
// admitted (otp_starts holds their country); refusals are otp.blocked events.
import type { Pool } from './pool.js';

export interface OtpConversionRow {
  country: string;
  channel: string;
  /** Codes sent on this channel (a resend or a fallback is one more). */
  sent: number;
  /** OTPs whose last code went on this channel: the channel a verification is credited to. */
  otps: number;
  verified: number;
}

export interface OtpRefusalRow {
  country: string;
  reason: string;
  count: number;
}

export interface OtpStats {
  conversion: OtpConversionRow[];
  refused: OtpRefusalRow[];
}

/** How long starts are kept for these figures (the longest window they are asked for). */
export const OTP_STATS_MAX_WINDOW_MS = 7 * 24 * 3_600_000;

export async function otpStats(pool: Pool, windowMs: number): Promise<OtpStats> {
  const secs = windowMs / 1000;
  const [conversion, refused] = await Promise.all([
    pool.query<{ country: string; channel: string; sent: string; otps: string; verified: string }>(
      `WITH s AS (SELECT otp_id, country FROM otp_starts WHERE started_at > now() - make_interval(secs => $1)),
            sends AS (SELECT s.otp_id, s.country, e.channel, e.seq
                        FROM s JOIN events e ON e.otp_id = s.otp_id AND e.type = 'otp.sent'),
            fin AS (SELECT DISTINCT ON (otp_id) otp_id, country, channel FROM sends ORDER BY otp_id, seq DESC),
            a AS (SELECT country, channel, count(*) AS sent FROM sends GROUP BY country, channel),
            b AS (SELECT country, channel, count(*) AS otps,
                         count(*) FILTER (WHERE EXISTS (SELECT 1 FROM events e
                                                         WHERE e.otp_id = fin.otp_id AND e.type = 'otp.approved')) AS verified
                    FROM fin GROUP BY country, channel)
       SELECT country, coalesce(channel, 'unknown') AS channel, coalesce(a.sent, 0) AS sent,
              coalesce(b.otps, 0) AS otps, coalesce(b.verified, 0) AS verified
         FROM a FULL JOIN b USING (country, channel)
        ORDER BY sent DESC, country, channel`,
      [secs],
    ),
    pool.query<{ country: string; reason: string; count: string }>(
      `SELECT coalesce(data->>'country', 'unknown') AS country, data->>'reason' AS reason, count(*) AS count
         FROM events WHERE type = 'otp.blocked' AND created_at > now() - make_interval(secs => $1)
        GROUP BY 1, 2 ORDER BY count DESC, country, reason`,
      [secs],
    ),
  ]);
  return {
    conversion: conversion.rows.map((r) => ({
      country: r.country,
      channel: r.channel,
      sent: Number(r.sent),
      otps: Number(r.otps),
      verified: Number(r.verified),
    })),
    refused: refused.rows.map((r) => ({ country: r.country, reason: r.reason, count: Number(r.count) })),
  };
}

/** Per channel over every country: the conversion figures an operator compares first. */
export function byChannel(rows: OtpConversionRow[]): Array<Omit<OtpConversionRow, 'country'>> {
  const out = new Map<string, Omit<OtpConversionRow, 'country'>>();
  for (const r of rows) {
    const c = out.get(r.channel) ?? { channel: r.channel, sent: 0, otps: 0, verified: 0 };
    c.sent += r.sent;
    c.otps += r.otps;
    c.verified += r.verified;
    out.set(r.channel, c);
  }
  return [...out.values()].sort((x, y) => y.sent - x.sent);
}
