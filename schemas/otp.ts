// The OTP workflow's input. Plain JSON, versioned; the code itself never appears in it.
import { z } from 'zod';
import { OTP_DEFAULTS } from '../domain/defaults.js';
import { E164, E164_MESSAGE } from '../domain/phone.js';
import { durationSchema } from './duration.js';
import { CHANNELS, PROVIDERS, PROVIDER_CHANNELS } from './message.js';

const e164 = z.string().regex(E164, E164_MESSAGE);

/** How the code is sent on one channel: a template whose params include the code, or a text with {{code}}. */
export const otpChannelSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    template: z.string().min(1).max(512).optional(),
    /** Template params; the literal "{{code}}" is replaced by the code. Default: ["{{code}}"]. */
    params: z.array(z.string().max(1024)).max(20).optional(),
    text: z
      .string()
      .min(1)
      .max(1000)
      .refine((t) => t.includes('{{code}}'), 'must contain {{code}}')
      .optional(),
  })
  .refine((c) => (c.template === undefined) !== (c.text === undefined), {
    message: 'needs exactly one of template or text',
    path: ['template'],
  });

export const otpInputSchema = z
  .object({
    version: z.literal(1).default(1),
    to: e164,
    reference: z.string().min(1).max(200).optional(),
    /** Engine-managed: kurir makes, sends and checks the code. Provider-managed: EngageLab does. */
    mode: z.enum(['engine', 'provider']).default('engine'),
    /** Channel order, as a list or EngageLab's "whatsapp|sms". */
    strategy: z
      .union([
        z.array(z.enum(CHANNELS)).min(1).max(2),
        z.string().regex(/^(whatsapp|sms)(\|(whatsapp|sms))?$/, 'must be like "whatsapp|sms"'),
      ])
      .default(['whatsapp', 'sms'])
      .transform((s) => (typeof s === 'string' ? (s.split('|') as Array<(typeof CHANNELS)[number]>) : s)),
    channels: z.object({ whatsapp: otpChannelSchema.optional(), sms: otpChannelSchema.optional() }).default({}),
    code: z
      .object({
        length: z.number().int().min(4, 'must be 4 to 10').max(10, 'must be 4 to 10').default(OTP_DEFAULTS.codeLength),
        /** Bitmask like EngageLab's verify_code_config: 1 digits, 2 lowercase, 4 uppercase. */
        type: z.number().int().min(1, 'must be 1 to 7').max(7, 'must be 1 to 7').default(OTP_DEFAULTS.codeType),
        ttl: durationSchema.default(OTP_DEFAULTS.ttl),
      })
      .default({ length: OTP_DEFAULTS.codeLength, type: OTP_DEFAULTS.codeType, ttl: OTP_DEFAULTS.ttl }),
    maxAttempts: z.number().int().min(1).max(20).default(OTP_DEFAULTS.maxAttempts),
    resendCooldown: durationSchema.default(OTP_DEFAULTS.resendCooldown),
    /** Fall back to the next channel when the code is not delivered within this window. */
    deliveryWindow: durationSchema.default(OTP_DEFAULTS.deliveryWindow),
    /** Countries this OTP may go to (ISO 3166 alpha-2): narrows the server's OTP_ALLOWED_COUNTRIES. */
    allowedCountries: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'must be ISO 3166 alpha-2 codes such as ID'))
      .min(1)
      .max(250)
      .optional(),
    /** EngageLab template id for provider-managed mode. */
    engagelabTemplate: z.string().min(1).max(128).optional(),
  })
  .superRefine((input, ctx) => {
    for (const channel of input.strategy) {
      const c = input.channels[channel];
      if (c && !PROVIDER_CHANNELS[c.provider].includes(channel))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', channel, 'provider'],
          message: `provider ${c.provider} does not carry ${channel}`,
        });
    }
    if (input.mode === 'provider' && !input.engagelabTemplate)
      ctx.addIssue({ code: 'custom', path: ['engagelabTemplate'], message: 'is required in provider mode' });
  });

export type OtpInput = z.infer<typeof otpInputSchema>;
export type OtpInputRaw = z.input<typeof otpInputSchema>;
export type OtpChannel = z.infer<typeof otpChannelSchema>;

export const verifySchema = z.object({
  code: z
    .string()
    .min(4, 'must be 4 to 10 characters')
    .max(10, 'must be 4 to 10 characters')
    .regex(/^[0-9A-Za-z]+$/, 'must be letters and digits'),
});
