// The message workflow's input and result. Plain JSON with a version, so any Temporal client
// (Go, Java, the temporal CLI) can start it; the API and the typed client validate with these.
import { z } from 'zod';
import { MESSAGE_DEFAULTS } from '../domain/defaults.js';
import { E164, E164_MESSAGE } from '../domain/phone.js';
import { durationSchema } from './duration.js';

export const PROVIDERS = ['wappin', 'itd', 'engagelab', 'nusasms', 'sms-masking'] as const;
export const CHANNELS = ['whatsapp', 'sms'] as const;

/** Which channels each provider carries; a step naming another pair is refused. */
export const PROVIDER_CHANNELS: Record<(typeof PROVIDERS)[number], readonly (typeof CHANNELS)[number][]> = {
  wappin: ['whatsapp', 'sms'],
  itd: ['whatsapp'],
  engagelab: ['whatsapp', 'sms'],
  nusasms: ['whatsapp'],
  'sms-masking': ['sms'],
};

const e164 = z.string().regex(E164, E164_MESSAGE);

export const stepSchema = z
  .object({
    channel: z.enum(CHANNELS),
    /** One provider, or several in order: `["wappin", "nusasms"]` is wappin with the alternative nusasms. */
    provider: z.union([z.enum(PROVIDERS), z.array(z.enum(PROVIDERS)).min(1).max(4)]),
    /**
     * Providers of the same channel to use, in order, when `provider`'s circuit is open or its send
     * fails (db/circuits.ts). Also written as `"provider": ["wappin", "nusasms"]`.
     */
    alternatives: z.array(z.enum(PROVIDERS)).max(3).optional(),
    template: z.string().min(1).max(512).optional(),
    params: z.array(z.string().max(1024)).max(50).optional(),
    language: z.string().min(1).max(20).optional(),
    /**
     * What the step is, as WhatsApp categorises templates. Unset means `utility`. A marketing or
     * utility step to a recipient who opted out of its channel is skipped (reason `suppressed`);
     * an `authentication` step (a code) is always sent.
     */
    category: z.enum(['marketing', 'utility', 'authentication']).optional(),
    text: z.string().min(1).max(4096).optional(),
    media: z
      .object({
        type: z.enum(['image', 'document', 'audio', 'link', 'file']),
        url: z.url(),
        caption: z.string().max(1024).optional(),
        filename: z.string().max(255).optional(),
      })
      .optional(),
  })
  .transform(({ provider, ...step }) =>
    Array.isArray(provider)
      ? { ...step, provider: provider[0]!, alternatives: [...provider.slice(1), ...(step.alternatives ?? [])] }
      : { ...step, provider },
  )
  .superRefine((step, ctx) => {
    const bodies = [step.template, step.text, step.media].filter((b) => b !== undefined).length;
    // A WhatsApp step may carry a session text and a template: the text inside the customer-service
    // window, the template outside it (activities/message-activities.ts).
    const sessionOrTemplate = step.channel === 'whatsapp' && step.text !== undefined && step.template !== undefined;
    if (bodies !== 1 && !(bodies === 2 && sessionOrTemplate))
      ctx.addIssue({
        code: 'custom',
        message: 'a step needs exactly one of template, text or media (a WhatsApp step may have a text and a template)',
        path: ['template'],
      });
    for (const provider of [step.provider, ...(step.alternatives ?? [])])
      if (!PROVIDER_CHANNELS[provider].includes(step.channel)) {
        ctx.addIssue({
          code: 'custom',
          message: `provider ${provider} does not carry ${step.channel}`,
          path: ['provider'],
        });
      }
  });

export const fallbackSchema = z.object({
  onInvalidNumber: z.boolean().default(MESSAGE_DEFAULTS.onInvalidNumber),
  onFailure: z.boolean().default(MESSAGE_DEFAULTS.onFailure),
  notDeliveredWithin: durationSchema.optional(),
  notReadWithin: durationSchema.optional(),
});

export const messageInputSchema = z.object({
  version: z.literal(1).default(1),
  to: e164,
  reference: z.string().min(1).max(200).optional(),
  steps: z.array(stepSchema).min(1).max(5),
  fallback: fallbackSchema.default({
    onInvalidNumber: MESSAGE_DEFAULTS.onInvalidNumber,
    onFailure: MESSAGE_DEFAULTS.onFailure,
  }),
  mode: z.enum(['sequential', 'parallel']).default('sequential'),
  precheck: z.boolean().default(false),
  /** How long an attempt is tracked for a final status when no rule ends it sooner. */
  trackFor: durationSchema.default(MESSAGE_DEFAULTS.trackFor),
  /** First status poll when no callback arrives; doubles up to pollMax. */
  pollAfter: durationSchema.default(MESSAGE_DEFAULTS.pollAfter),
  pollMax: durationSchema.default(MESSAGE_DEFAULTS.pollMax),
});

export type MessageInput = z.infer<typeof messageInputSchema>;
export type MessageInputRaw = z.input<typeof messageInputSchema>;
export type Step = z.infer<typeof stepSchema>;
