// The OTP guard against SMS pumping (issue #20), in front of POST /v1/otp: only allowed countries,
// no refused number types (VoIP, premium rate, … when configured), no prefix whose codes nobody
// verifies (sent vs verified over a window: such a prefix is blocked for a while, emitting
// `otp.prefix_blocked`), and sliding-window limits per API key, client address, number prefix (the
// number without its last four digits) and country, counted in PostgreSQL so every API process
// shares them. A refusal sends nothing, answers 403 or 429 naming the reason, emits `otp.blocked`
// and counts in kurir_otp_blocked_total.
import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import { insertEvents } from '../db/events.js';
import { admitOtpStart, type AdmitInput, type GuardWindow } from '../db/otp-guard.js';
import { pruneOtpStarts } from '../db/otp-conversion.js';
import { OTP_STATS_MAX_WINDOW_MS } from '../db/otp-stats.js';
import { parseDurationMs } from '../domain/durations.js';
import type { Pool } from '../db/pool.js';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { otpBlocked } from '../services/metrics.js';
import { apiKeyNameOf } from './auth.js';
import { HttpError } from './errors.js';

type GuardConfig = Pick<
  Config,
  | 'OTP_ALLOWED_COUNTRIES'
  | 'OTP_REFUSED_NUMBER_TYPES'
  | 'OTP_LIMIT_PER_API_KEY'
  | 'OTP_LIMIT_PER_IP'
  | 'OTP_LIMIT_PER_PREFIX'
  | 'OTP_LIMIT_PER_COUNTRY'
  | 'OTP_BLOCK_MIN_SENDS'
  | 'OTP_BLOCK_MIN_CONVERSION'
  | 'OTP_CONVERSION_WINDOW'
  | 'OTP_CONVERSION_SETTLE'
  | 'OTP_BLOCK_FOR'
  | 'RECIPIENT_HASH_KEY'
>;

export type BlockReason = 'country_not_allowed' | 'number_type_refused' | 'prefix_blocked' | 'rate_limited';

const ms = (d: string) => parseDurationMs(d) ?? 0;

/** The number without its last four digits: the block a pumping bot walks through. */
export function numberPrefix(e164: string): string {
  return e164.slice(0, -4);
}

const PRUNE_EVERY = 500;

export class OtpGuard {
  private starts = 0;
  private readonly conversion: AdmitInput['conversion'];

  constructor(private readonly deps: { pool: Pool; config: GuardConfig }) {
    const c = deps.config;
    this.conversion = {
      windowMs: ms(c.OTP_CONVERSION_WINDOW),
      settleMs: ms(c.OTP_CONVERSION_SETTLE),
      minSends: c.OTP_BLOCK_MIN_SENDS,
      minConversion: c.OTP_BLOCK_MIN_CONVERSION,
      blockMs: ms(c.OTP_BLOCK_FOR),
    };
  }

  /**
   * Throws the refusal (HttpError 403 or 429) after recording it, or takes a slot in every window.
   * `allowedCountries` (the request's) can only narrow OTP_ALLOWED_COUNTRIES.
   */
  async admit(
    req: FastifyRequest,
    reply: FastifyReply,
    input: { to: string; allowedCountries?: string[]; reference?: string },
    otpId: string,
  ): Promise<void> {
    const { config } = this.deps;
    const phone = parsePhoneNumberFromString(input.to);
    const country = phone?.country ?? 'unknown';
    const allowed = [config.OTP_ALLOWED_COUNTRIES, input.allowedCountries].filter((l) => l !== undefined);
    if (allowed.some((list) => !list.includes(country)))
      await this.refuse(403, 'country_not_allowed', `to: ${country} is not a country OTPs may be sent to`, {
        country,
        reference: input.reference,
      });
    const type = phone?.getType();
    if (type !== undefined && (config.OTP_REFUSED_NUMBER_TYPES as string[]).includes(type))
      await this.refuse(403, 'number_type_refused', `to: ${type} numbers get no OTP (OTP_REFUSED_NUMBER_TYPES)`, {
        country,
        numberType: type,
        reference: input.reference,
      });
    const hashed = (value: string) => recipientHash(config.RECIPIENT_HASH_KEY, value);
    const prefix = numberPrefix(input.to);
    const windows: Array<GuardWindow & { text: string }> = [];
    const add = (scope: string, key: string, w: GuardConfig['OTP_LIMIT_PER_IP']) => {
      if (w) windows.push({ scope, key, limit: w.limit, windowMs: w.windowMs, text: w.text });
    };
    add('api_key', apiKeyNameOf(req) ?? 'none', config.OTP_LIMIT_PER_API_KEY);
    // Addresses and number prefixes are stored as keyed hashes: the tables hold no personal data.
    const prefixHash = hashed(prefix);
    add('ip', hashed(req.ip), config.OTP_LIMIT_PER_IP);
    add('prefix', prefixHash, config.OTP_LIMIT_PER_PREFIX);
    add('country', country, config.OTP_LIMIT_PER_COUNTRY);
    const verdict = await admitOtpStart(this.deps.pool, {
      otpId,
      prefix,
      prefixHash,
      country,
      conversion: this.conversion,
      windows,
    });
    if (verdict.outcome === 'prefix_blocked') {
      const until = verdict.until.toISOString();
      if (verdict.newlyBlocked)
        await insertEvents(this.deps.pool, [
          {
            id: `otp_prefix_blocked_${randomUUID()}`,
            type: 'otp.prefix_blocked',
            occurredAt: new Date().toISOString(),
            // The prefix, never a whole number: what an operator unblocks (POST /v1/otp-guard/blocks/:prefix/unblock).
            data: { prefix, country, sends: verdict.sends, verified: verdict.verified, until },
          },
        ]);
      await this.refuse(
        403,
        'prefix_blocked',
        `to: its number prefix is blocked until ${until}: codes sent to it are not verified`,
        { country, until, reference: input.reference },
      );
    }
    if (verdict.outcome === 'rate_limited') {
      const w = windows.find((x) => x.scope === verdict.scope)!;
      const seconds = Math.max(1, Math.ceil((verdict.freesAt.getTime() - Date.now()) / 1000));
      void reply.header('retry-after', String(seconds));
      await this.refuse(
        429,
        'rate_limited',
        `the OTP limit per ${verdict.scope.replace('_', ' ')} is reached (${w.text}); a slot frees at ${verdict.freesAt.toISOString()}`,
        { country, limit: verdict.scope, freesAt: verdict.freesAt.toISOString(), reference: input.reference },
      );
    }
    // Starts older than the conversion window and the longest stats window (db/otp-stats.ts) are
    // never read again: every so often, forget a batch of them.
    if (++this.starts % PRUNE_EVERY === 0)
      await pruneOtpStarts(this.deps.pool, Math.max(this.conversion.windowMs, OTP_STATS_MAX_WINDOW_MS));
  }

  private async refuse(
    status: number,
    reason: BlockReason,
    message: string,
    data: { country: string; reference?: string } & Record<string, unknown>,
  ): Promise<never> {
    otpBlocked.inc({ reason, country: data.country });
    const { reference, ...rest } = data;
    await insertEvents(this.deps.pool, [
      {
        id: `otp_blocked_${randomUUID()}`,
        type: 'otp.blocked',
        ...(reference !== undefined ? { reference } : {}),
        occurredAt: new Date().toISOString(),
        data: { reason, ...rest },
      },
    ]);
    throw new HttpError(status, message, reason, 'to');
  }
}
