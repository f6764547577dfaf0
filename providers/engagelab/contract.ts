// EngageLab OTP as zod schemas: template configs (document 002) and send / custom code / verify /
// callbacks (engagelab-otp-api.md). Field names are EngageLab's own (snake_case); bodies are loose
// objects so fields EngageLab adds later are kept, never rejected.
import { z } from 'zod';

export const ENGAGELAB_PATHS = {
  templates: '/v1/template-configs',
  messages: '/v1/messages',
  codes: '/v1/codes',
  verifications: '/v1/verifications',
} as const;

export const templatePath = (templateId: string): string =>
  `${ENGAGELAB_PATHS.templates}/${encodeURIComponent(templateId)}`;

export const ENGAGELAB_CHANNELS = ['whatsapp', 'sms', 'email', 'voice'] as const;

/** verify_code_type bits: 1 digits, 2 lowercase, 4 uppercase; combined by adding (3 = digits + lowercase). */
export const CODE_TYPE_BITS = { digits: 1, lowercase: 2, uppercase: 4 } as const;
/** With WhatsApp in the strategy, the code TTL may only be one of these (minutes). */
export const WHATSAPP_CODE_TTLS: readonly number[] = [1, 5, 10];

// Assumption: numbers in answers may come as JSON numbers or numeric strings; both are accepted.
const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);
// Message ids look like "1725407449772531712": beyond a double's precision, so a numeric id is kept as text.
const idLike = z.union([z.string().trim().min(1, 'is required'), z.number().transform((n) => String(n))]);
// Assumption: callback times are unix seconds (the sample's 1700000000); milliseconds are accepted too.
const epoch = numeric;

const int = (min: number, max: number, hint = '') =>
  z
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(min, `must be between ${min} and ${max}${hint}`)
    .max(max, `must be between ${min} and ${max}${hint}`);

/** The channels of a strategy such as `whatsapp|sms`, in order; unknown names are kept (the schema rejects them). */
export function strategyChannels(strategy: string): string[] {
  return strategy
    .split('|')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c.length > 0);
}

/**
 * `send_channel_strategy`: one channel, or several joined by `|` in fallback order (the document's
 * sentence is cut off at "Multi-saluran gunakan"; its sample is `whatsapp|sms`).
 */
export const sendChannelStrategySchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .superRefine((s, ctx) => {
    const parts = s.split('|').map((c) => c.trim());
    const known = new Set<string>(ENGAGELAB_CHANNELS);
    const bad = parts.find((c) => !known.has(c));
    if (bad !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `"${bad || '(empty)'}" is not a channel: use whatsapp, sms, email or voice joined by |`,
      });
    else if (new Set(parts).size !== parts.length) ctx.addIssue({ code: 'custom', message: 'names a channel twice' });
  });

export const verifyCodeConfigSchema = z.looseObject({
  verify_code_type: int(1, 7, ' (1 digits, 2 lowercase, 4 uppercase, added together)'),
  verify_code_len: int(4, 10),
  verify_code_ttl: int(1, 10, ' minutes'),
});

const defaultConfigSchema = z.looseObject({
  contain_security: z.boolean().optional(),
  contain_expire: z.boolean().optional(),
});

const whatsappConfigSchema = z.looseObject({
  template_type: z.literal(1, 'must be 1 (only the default template is supported)'),
  template_default_config: defaultConfigSchema,
});

export const SMS_CUSTOM_SUB_TYPES = ['authentication', 'marketing', 'utility'] as const;

const smsConfigSchema = z.looseObject({
  template_type: z.union([z.literal(1), z.literal(2)], 'must be 1 (default) or 2 (custom)'),
  template_default_config: defaultConfigSchema.optional(),
  template_custom_config: z
    .looseObject({
      custom_sub_type: z.enum(SMS_CUSTOM_SUB_TYPES, 'must be authentication, marketing or utility'),
      custom_content: z.string().min(1, 'is required'),
      custom_country_codes: z.string().optional(),
    })
    .optional(),
});

const voiceConfigSchema = z.looseObject({
  template_type: z.literal(1, 'must be 1 (only the default template is supported)'),
  template_default_config: defaultConfigSchema,
});

const emailConfigSchema = z.looseObject({
  template_name: z.string().min(1, 'is required'),
  // Required for "custom" email templates; the document names no email template_type, so optional.
  template_custom_configs: z
    .array(
      z.looseObject({
        language: z.string().min(1, 'is required'),
        pre_from_name: z.string().optional(),
        pre_from_mail: z.email('must be an email address'),
        pre_subject: z.string().min(1, 'is required'),
        template_content: z.string().min(1, 'is required'),
        pre_param_map: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
});

const pwaConfigSchema = z.looseObject({ pwa_platform: z.string().optional(), pwa_code: z.string().optional() });

export const templateIdSchema = z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters');

/** POST /v1/template-configs body (also the PUT body of an update), before the cross-field rules. */
const templateConfigBase = z.looseObject({
  template_id: templateIdSchema,
  description: z.string().max(255, 'must be at most 255 characters').optional(),
  send_channel_strategy: sendChannelStrategySchema,
  // "Maksimal 2-10 karakter": read as a length between 2 and 10.
  brand_name: z.string().min(2, 'must be 2 to 10 characters').max(10, 'must be 2 to 10 characters').optional(),
  verify_code_config: verifyCodeConfigSchema.optional(),
  whatsapp_config: whatsappConfigSchema.optional(),
  sms_config: smsConfigSchema.optional(),
  voice_config: voiceConfigSchema.optional(),
  email_config: emailConfigSchema.optional(),
  pwa_config: pwaConfigSchema.optional(),
});

/** Whether a template carries a verification code, which makes `verify_code_config` required. */
function carriesCode(t: z.output<typeof templateConfigBase>, channels: string[]): boolean {
  return channels.some((c) => {
    if (c === 'whatsapp' || c === 'voice') return true; // default templates always contain the code
    if (c === 'sms')
      return (
        t.sms_config?.template_type !== 2 || t.sms_config.template_custom_config?.custom_sub_type === 'authentication'
      );
    if (c === 'email')
      return t.email_config?.template_custom_configs?.some((e) => e.template_content.includes('{{code}}')) ?? false;
    return false;
  });
}

/**
 * The template body with the document's conditional rules: a channel in the strategy needs its
 * config; a template with a code needs verify_code_config; WhatsApp allows only TTL 1, 5 or 10.
 */
export const templateConfigSchema = templateConfigBase.superRefine((t, ctx) => {
  const channels = strategyChannels(t.send_channel_strategy);
  for (const c of ENGAGELAB_CHANNELS) {
    if (channels.includes(c) && t[`${c}_config`] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [`${c}_config`],
        message: `is required when send_channel_strategy includes ${c}`,
      });
  }
  if (!t.verify_code_config && carriesCode(t, channels)) {
    ctx.addIssue({
      code: 'custom',
      path: ['verify_code_config'],
      message: 'is required when the template contains a verification code',
    });
  }
  const ttl = t.verify_code_config?.verify_code_ttl;
  if (ttl !== undefined && channels.includes('whatsapp') && !WHATSAPP_CODE_TTLS.includes(ttl)) {
    ctx.addIssue({
      code: 'custom',
      path: ['verify_code_config', 'verify_code_ttl'],
      message: 'must be 1, 5 or 10 minutes when send_channel_strategy includes whatsapp',
    });
  }
  const sms = t.sms_config;
  if (sms?.template_type === 1 && !sms.template_default_config) {
    ctx.addIssue({
      code: 'custom',
      path: ['sms_config', 'template_default_config'],
      message: 'is required for a default SMS template (template_type 1)',
    });
  }
  if (sms?.template_type === 2) {
    // "authentication content must contain {{code}}" is not checked here: the document's own sample
    // sends custom_content "xxx", so EngageLab plausibly enforces it at template review, not on the call.
    if (!sms.template_custom_config)
      ctx.addIssue({
        code: 'custom',
        path: ['sms_config', 'template_custom_config'],
        message: 'is required for a custom SMS template (template_type 2)',
      });
  }
});
export type TemplateConfigInput = z.input<typeof templateConfigSchema>;
export type TemplateConfig = z.output<typeof templateConfigSchema>;

/**
 * A template as the list and detail answers show it: the same fields, shortened (the list leaves
 * out contents), plus `created_time`, `status` and `audit_remark`. Assumption: `status` is an
 * audit state whose values the document does not list, so it is kept as a number.
 */
export const templateResponseSchema = z.looseObject({
  template_id: z.string(),
  description: z.string().nullish(),
  send_channel_strategy: z.string().nullish(),
  brand_name: z.string().nullish(),
  verify_code_config: z
    .looseObject({
      verify_code_type: numeric.optional(),
      verify_code_len: numeric.optional(),
      verify_code_ttl: numeric.optional(),
    })
    .nullish(),
  whatsapp_config: z.looseObject({ template_type: numeric.optional() }).nullish(),
  sms_config: z.looseObject({ template_type: numeric.optional(), template_parts: numeric.optional() }).nullish(),
  voice_config: z.looseObject({ template_type: numeric.optional() }).nullish(),
  email_config: z.looseObject({ template_name: z.string().optional() }).nullish(),
  pwa_config: pwaConfigSchema.nullish(),
  created_time: epoch.nullish(),
  status: numeric.nullish(),
  audit_remark: z.string().nullish(),
});
export type TemplateResponse = z.output<typeof templateResponseSchema>;

/** GET /v1/template-configs: a bare array. Assumption: an envelope `{ data: [...] }` is accepted too. */
export const templateListResponseSchema = z.union([
  z.array(templateResponseSchema),
  z.looseObject({ data: z.array(templateResponseSchema) }).transform((o) => o.data),
]);

/** `{ code, message }`: the create/update/delete success answer (code 0) and every error answer. */
export const resultSchema = z.looseObject({
  code: numeric,
  message: z.string().nullish(),
});
export type ResultBody = z.output<typeof resultSchema>;

// Assumption: template params are string values keyed by variable name ({{name}} in the template).
const templateRefSchema = z.looseObject({
  id: templateIdSchema,
  language: z.string().trim().min(1, 'must not be empty').optional(),
  params: z.record(z.string(), z.string()).optional(),
});

/** POST /v1/messages: EngageLab generates the code and sends it on the template's strategy. */
export const sendOtpRequestSchema = z.looseObject({
  to: z.string().trim().min(1, 'is required'),
  template: templateRefSchema,
});
export type SendOtpRequest = z.input<typeof sendOtpRequestSchema>;

/**
 * POST /v1/codes: we generated the code. Assumption: the document gives no rule for `code`; it
 * must fit any template's verify_code_config, so 4–10 letters or digits.
 */
export const sendCustomCodeRequestSchema = z.looseObject({
  to: z.string().trim().min(1, 'is required'),
  code: z.string().regex(/^[A-Za-z0-9]{4,10}$/, 'must be 4 to 10 letters or digits'),
  template: templateRefSchema,
});
export type SendCustomCodeRequest = z.input<typeof sendCustomCodeRequestSchema>;

/** Both send answers: `send_channel` is the channel used first (whatsapp, sms, email, voice). */
export const sendResponseSchema = z.looseObject({
  message_id: idLike,
  send_channel: z.string().nullish(),
});

/** POST /v1/verifications. Assumption: a wrong code is answered `verified: false`, so any non-empty text is sent. */
export const verifyRequestSchema = z.looseObject({
  message_id: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
  verify_code: z.string().trim().min(1, 'is required').max(32, 'must be at most 32 characters'),
});
export type VerifyRequest = z.input<typeof verifyRequestSchema>;

// Assumption: `verified` is a JSON boolean; "true"/"false" strings are read the same way.
const booleanLike = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

export const verifyResponseSchema = z.looseObject({
  message_id: idLike.optional(),
  verify_code: z.string().optional(),
  verified: booleanLike,
});

export const ENGAGELAB_MESSAGE_STATUSES = [
  'plan',
  'target_valid',
  'target_invalid',
  'sent',
  'sent_failed',
  'delivered',
  'delivered_failed',
  'verified',
  'verified_failed',
  'verified_timeout',
] as const;
export type EngageLabMessageStatus = (typeof ENGAGELAB_MESSAGE_STATUSES)[number];

/** The `status` object of a callback. */
// A number where the document shows a name (a status code) is read as its text: the value is then
// unknown and kept as unmapped, with the leg's channel, rather than failing the whole callback.
const statusValue = z.union([z.string(), z.number().transform(String)]);

export const callbackStatusSchema = z.looseObject({
  message_status: statusValue.pipe(z.string().trim().min(1, 'is required')),
  status_data: z.looseObject({ msg_time: epoch.nullish() }).nullish(),
  error_code: numeric.nullish(),
  error_detail: z.looseObject({ message: z.string().nullish() }).nullish(),
});

/**
 * One callback event. The document calls its layout "approximate", so: `status` may also be a bare
 * string or absent with `message_status` at the top level; every other field is optional. The
 * message id is the one thing a callback cannot do without.
 */
export const callbackEventSchema = z.looseObject({
  message_id: idLike,
  to: z.string().nullish(),
  server: z.string().nullish(),
  channel: z.string().nullish(),
  itime: epoch.nullish(),
  status: z.union([callbackStatusSchema, statusValue]).nullish(),
  message_status: statusValue.nullish(),
});

/** Values the sandbox sends for 611/612: not in the document, so kurir keeps them as unmapped. */
export type SurpriseStatus = 'carrier_accepted' | 2;

/** The body the sandbox sends, as the document's sample. */
export interface CallbackBody {
  message_id: string;
  to: string;
  server: 'otp';
  channel: string;
  itime: number;
  status: {
    /** A documented value, or a scripted surprise (sandboxes/kit.ts 611/612): an unknown name or a number. */
    message_status: EngageLabMessageStatus | SurpriseStatus;
    status_data: { msg_time: number };
    error_code: number;
    error_detail: { message: string };
  };
}
