// POST /v1/messages/preview: the message as it would be sent, step by step, without sending
// (app/preview.ts). Same body as POST /v1/messages.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { previewMessage } from '../../app/preview.js';
import { toE164Body } from './phone-input.js';
import { messageInputSchema } from '../../schemas/message.js';
import type { AppDeps } from '../deps.js';

const stepPreview = z.object({
  step: z.number(),
  channel: z.string(),
  provider: z.string(),
  body: z.enum(['text', 'template', 'media']),
  text: z.string().nullable(),
  template: z.string().nullable(),
  encoding: z.enum(['GSM-7', 'UCS-2']).nullable(),
  characters: z.number().nullable(),
  parts: z.number().nullable(),
  perPart: z.number().nullable(),
  unicodeCharacters: z.array(z.string()),
  cost: z.object({ amount: z.number(), currency: z.string() }).nullable(),
  note: z.string().nullable(),
});

export const previewRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.post(
    '/v1/messages/preview',
    {
      schema: {
        tags: ['messages'],
        summary: 'What a message would be sent as, per step (SMS encoding, characters, parts, cost), without sending',
        body: messageInputSchema,
        response: { 200: z.object({ steps: z.array(stepPreview) }) },
      },
      preValidation: async (req) => {
        req.body = toE164Body(req.body, deps.config.DEFAULT_REGION);
      },
    },
    async (req) => ({ steps: previewMessage(req.body, deps.config.SMS_PRICES, deps.config.SMS_PRICE_CURRENCY) }),
  );
};
