// A campaign's settings as the API and the typed client accept them.
import { z } from 'zod';
import { messageInputSchema } from './message.js';
import { parseClock } from '../workflows/campaign-logic.js';
import { validTimeZone } from '../lib/time-zone.js';

const clock = z.string().refine((v) => parseClock(v) !== undefined, 'must be a time of day HH:MM or HH:MM:SS');

export const quietHoursSchema = z
  .object({ start: clock, end: clock })
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });

/** The message every recipient gets: the message input without recipient and reference. */
export const campaignTemplateSchema = messageInputSchema.omit({ to: true, reference: true });

export const campaignSettingsSchema = z.object({
  name: z.string().min(1).max(200),
  concurrency: z.number().int().min(1).max(2_000).default(50),
  pageSize: z.number().int().min(1).max(1_000).default(200),
  quietHours: quietHoursSchema.optional(),
  /** Time zone of recipients without one. */
  timeZone: z.string().refine(validTimeZone, 'must be an IANA time zone such as Asia/Jakarta').default('UTC'),
  /** Continue-as-new threshold (events); tests lower it to exercise continue-as-new. */
  historyLimit: z.number().int().min(200).max(10_000).default(5_000),
});

export const campaignSpecSchema = campaignTemplateSchema.extend(campaignSettingsSchema.shape);
export type CampaignSpec = z.infer<typeof campaignSpecSchema>;
export type CampaignSpecRaw = z.input<typeof campaignSpecSchema>;
