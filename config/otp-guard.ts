// The OTP guard's settings (api/otp-guard.ts): which countries may get codes, which number types
// are refused, and the sliding-window limits per API key, client address, number prefix and country.
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { parseDurationMs } from '../domain/durations.js';

export interface RateWindow {
  limit: number;
  windowMs: number;
  /** As configured, for messages: "20 per 1 hour". */
  text: string;
}

/** `N/duration` ("20/1 hour") or `off`. */
export const rateWindowVar = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): RateWindow | undefined => {
      if (value.trim() === 'off') return undefined;
      const [count, duration] = value.split('/').map((s) => s.trim());
      const limit = Number(count);
      const windowMs = parseDurationMs(duration ?? '');
      if (!Number.isInteger(limit) || limit < 1 || windowMs === undefined || windowMs < 1_000) {
        ctx.addIssue({ code: 'custom', message: `must be "off" or N/duration like "20/1 hour" (got "${value}")` });
        return z.NEVER;
      }
      return { limit, windowMs, text: `${limit} per ${duration}` };
    });

/** ISO 3166 alpha-2 codes, comma-separated; unset: every country. */
export const countriesVar = z
  .string()
  .optional()
  .transform((value, ctx): CountryCode[] | undefined => {
    if (value === undefined || value.trim() === '') return undefined;
    const codes = value
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    const bad = codes.filter((c) => !isSupportedCountry(c));
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not ISO 3166 alpha-2 country codes: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return codes as CountryCode[];
  });

/** libphonenumber number types an OTP may refuse (NIST 800-63B: no VoIP for out-of-band codes). */
export const REFUSABLE_TYPES = [
  'VOIP',
  'PREMIUM_RATE',
  'SHARED_COST',
  'TOLL_FREE',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;
export type RefusableType = (typeof REFUSABLE_TYPES)[number];

export const numberTypesVar = z
  .string()
  .default('')
  .transform((value, ctx): RefusableType[] => {
    const types = value
      .split(',')
      .map((t) => t.trim().toUpperCase())
      .filter(Boolean);
    const bad = types.filter((t) => !(REFUSABLE_TYPES as readonly string[]).includes(t));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown number types ${bad.join(', ')} (one of ${REFUSABLE_TYPES.join(', ')})`,
      });
      return z.NEVER;
    }
    return types as RefusableType[];
  });
