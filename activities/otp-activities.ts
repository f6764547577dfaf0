// OTP activities. The plaintext code exists only inside sendOtpCode, on its way to the
// provider: what returns to the workflow (and what is stored) is its HMAC.
import { hashOtpCode, generateOtpCode } from '../lib/crypto/otp-code.js';
import { recipientHash } from '../lib/crypto/recipient-hash.js';
import { parseDurationMs } from '../schemas/duration.js';
import type { Pool } from '../db/pool.js';
import {
  completeOtpSend,
  findOtpSend,
  releaseOtpSend,
  reserveOtpSend,
  type OtpSendRow,
  type OtpSendSlot,
} from '../db/otp-sends.js';
import { recordProviderMessage } from '../db/provider-messages.js';
import type { EngageLabOtpClient } from '../providers/engagelab/client.js';
import type { TemplateResponse } from '../providers/engagelab/contract.js';
import { BadRequestError } from '../providers/errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { OutboundMessage } from '../providers/types.js';
import type { OtpChannel } from '../schemas/otp.js';
import type { CanonicalStatus, ChannelName, ProviderName } from '../workflows/types.js';

/** The per-number OTP send limit is reached: not retryable (the workflow reports it). */
export class OtpSendLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtpSendLimitError';
  }
}

export interface OtpSendResult {
  codeHash?: string;
  providerMessageId: string;
  provider: ProviderName;
  channel?: ChannelName;
  status: CanonicalStatus;
  acceptedAt: string;
}

export interface OtpDeps {
  pool: Pool;
  providers: ProviderRegistry;
  otpHmacKey: string;
  otpSendLimit: number;
  /** RECIPIENT_HASH_KEY: the send limit counts a number by its keyed hash. */
  recipientHashKey: string;
  otpSendWindow: string;
}

function withCode(config: OtpChannel, to: string, reference: string, code: string): OutboundMessage {
  const fill = (s: string) => s.replaceAll('{{code}}', code);
  if (config.text) return { to, reference, text: fill(config.text) };
  return { to, reference, template: { name: config.template!, params: (config.params ?? ['{{code}}']).map(fill) } };
}

const knownTemplates = new Set<string>();

/**
 * EngageLab's code TTL in minutes for an OTP that lives `ttlMs`: rounded UP, so EngageLab never
 * expires a code kurir still accepts (kurir's own TTL decides). The document allows 1 to 10 minutes,
 * and only 1, 5 or 10 when the strategy includes WhatsApp; a longer OTP is refused, not shortened.
 */
export function engagelabTtlMinutes(strategy: readonly ChannelName[], ttlMs: number): number {
  const minutes = Math.max(1, Math.ceil(ttlMs / 60_000));
  const allowed = strategy.includes('whatsapp') ? [1, 5, 10] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const ttl = allowed.find((m) => m >= minutes);
  if (ttl === undefined)
    throw new BadRequestError(
      `engagelab: code.ttl: at most 10 minutes in provider mode (EngageLab would expire the code before kurir does)`,
      { provider: 'engagelab', field: 'code.ttl' },
    );
  return ttl;
}

/** Creates the EngageLab template with our strategy and code settings when it does not exist yet. */
async function ensureTemplate(
  engagelab: EngageLabOtpClient,
  id: string,
  strategy: ChannelName[],
  code: { length: number; type: number; ttlMs: number },
): Promise<void> {
  const wanted = {
    send_channel_strategy: strategy.join('|'),
    verify_code_type: code.type,
    verify_code_len: code.length,
    verify_code_ttl: engagelabTtlMinutes(strategy, code.ttlMs),
  };
  const key = `${id}|${JSON.stringify(wanted)}`;
  if (knownTemplates.has(key)) return;
  let existing: TemplateResponse | undefined;
  try {
    existing = await engagelab.getTemplate(id);
  } catch (err) {
    if (!(err instanceof BadRequestError && err.providerCode === '4001')) throw err;
  }
  if (existing) {
    // Reusing a template made for other code settings would send codes kurir cannot judge.
    const has = {
      send_channel_strategy: existing.send_channel_strategy ?? undefined,
      verify_code_type: existing.verify_code_config?.verify_code_type,
      verify_code_len: existing.verify_code_config?.verify_code_len,
      verify_code_ttl: existing.verify_code_config?.verify_code_ttl,
    };
    for (const [setting, value] of Object.entries(wanted)) {
      const actual = has[setting as keyof typeof has];
      if (actual !== undefined && String(actual) !== String(value))
        throw new BadRequestError(
          `engagelab: engagelabTemplate: template "${id}" has ${setting} ${String(actual)}, this OTP needs ${String(value)}; use another template id`,
          { provider: 'engagelab', field: 'engagelabTemplate' },
        );
    }
  } else {
    const defaults = {
      template_type: 1 as const,
      template_default_config: { contain_security: false, contain_expire: true },
    };
    await engagelab.createTemplate({
      template_id: id,
      description: 'kurir OTP',
      send_channel_strategy: wanted.send_channel_strategy,
      verify_code_config: {
        verify_code_type: code.type,
        verify_code_len: code.length,
        verify_code_ttl: wanted.verify_code_ttl,
      },
      ...(strategy.includes('whatsapp') ? { whatsapp_config: defaults } : {}),
      ...(strategy.includes('sms') ? { sms_config: defaults } : {}),
    });
  }
  knownTemplates.add(key);
}

export function createOtpActivities(deps: OtpDeps) {
  const windowMs = parseDurationMs(deps.otpSendWindow) ?? 600_000;

  /**
   * Reserve (counted by the limit, committed), send with no connection held, then record. A send
   * the provider refused gives its reservation back; a crash mid-send leaves it for the retry.
   */
  async function limited<T extends { providerMessageId: string; channel?: ChannelName; codeHash?: string }>(
    slot: OtpSendSlot,
    send: () => Promise<T>,
  ): Promise<T> {
    if (!(await reserveOtpSend(deps.pool, slot, deps.otpSendLimit, windowMs))) {
      throw new OtpSendLimitError(
        `send limit reached: at most ${deps.otpSendLimit} codes per number in ${deps.otpSendWindow}`,
      );
    }
    let sent: T;
    try {
      sent = await send();
    } catch (err) {
      await releaseOtpSend(deps.pool, slot.otpId, slot.step);
      throw err;
    }
    await completeOtpSend(deps.pool, {
      otpId: slot.otpId,
      step: slot.step,
      codeHash: sent.codeHash,
      channel: sent.channel ?? slot.channel,
      providerMessageId: sent.providerMessageId,
    });
    await recordProviderMessage(deps.pool, {
      provider: slot.provider,
      providerMessageId: sent.providerMessageId,
      workflowId: slot.otpId,
      stepIndex: slot.step,
    });
    return sent;
  }

  /** The answer of a send that completed before (a retried activity): no second code. */
  function alreadySent(row: OtpSendRow): OtpSendResult | undefined {
    if (!row.provider_message_id) return undefined;
    return {
      codeHash: row.code_hash ?? undefined,
      providerMessageId: row.provider_message_id,
      provider: row.provider as ProviderName,
      channel: row.channel as ChannelName,
      status: 'accepted',
      acceptedAt: row.sent_at.toISOString(),
    };
  }

  return {
    async sendOtpCode(input: {
      otpId: string;
      step: number;
      to: string;
      channel: ChannelName;
      config: OtpChannel;
      code: { length: number; type: number };
    }): Promise<OtpSendResult> {
      const existing = await findOtpSend(deps.pool, input.otpId, input.step);
      const done = existing && alreadySent(existing);
      if (done) return done;
      const provider = deps.providers.get(input.config.provider);
      const slot = {
        otpId: input.otpId,
        step: input.step,
        recipientHash: recipientHash(deps.recipientHashKey, input.to),
        provider: provider.name,
        channel: input.channel,
      };
      return limited(slot, async () => {
        const code = generateOtpCode(input.code.length, input.code.type);
        const sent = await provider.send(withCode(input.config, input.to, `${input.otpId}/${input.step}`, code));
        const codeHash = hashOtpCode(deps.otpHmacKey, input.otpId, code);
        return {
          codeHash,
          providerMessageId: sent.providerMessageId,
          provider: provider.name,
          channel: input.channel,
          status: sent.status,
          acceptedAt: sent.acceptedAt.toISOString(),
        };
      });
    },

    async sendProviderOtp(input: {
      otpId: string;
      step: number;
      to: string;
      template: string;
      strategy: ChannelName[];
      code: { length: number; type: number; ttlMs: number };
    }): Promise<OtpSendResult> {
      const existing = await findOtpSend(deps.pool, input.otpId, input.step);
      const done = existing && alreadySent(existing);
      if (done) return { ...done, codeHash: undefined };
      const engagelab = deps.providers.engagelabOtp();
      await ensureTemplate(engagelab, input.template, input.strategy, input.code);
      const slot = {
        otpId: input.otpId,
        step: input.step,
        recipientHash: recipientHash(deps.recipientHashKey, input.to),
        provider: 'engagelab',
        channel: input.strategy[0] ?? 'whatsapp',
      };
      return limited(slot, async () => {
        const sent = await engagelab.sendOtp({ to: input.to, template: { id: input.template, language: 'default' } });
        const channel: ChannelName = sent.sendChannel === 'sms' ? 'sms' : 'whatsapp';
        return {
          providerMessageId: sent.messageId,
          provider: 'engagelab' as const,
          channel,
          status: 'accepted' as const,
          acceptedAt: new Date().toISOString(),
        };
      });
    },
  };
}

export type OtpActivities = ReturnType<typeof createOtpActivities>;
