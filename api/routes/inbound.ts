// GET /v1/inbound: messages customers sent (Wappin callback_type message, ITD inbound).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listInbound } from '../../db/inbound-messages.js';
import { PROVIDERS } from '../../schemas/message.js';
import type { AppDeps } from '../deps.js';

export const inboundRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/inbound',
    {
      schema: {
        tags: ['inbound'],
        summary: 'Inbound messages, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.string().regex(/^\d+$/, 'must be an inbound message id').optional(),
          provider: z.enum(PROVIDERS).optional(),
        }),
      },
    },
    async (req) => {
      const rows = await listInbound(deps.pool, {
        limit: req.query.limit,
        beforeId: req.query.before,
        provider: req.query.provider,
      });
      return {
        items: rows.map((r) => ({
          id: r.id,
          provider: r.provider,
          providerMessageId: r.provider_message_id,
          from: r.sender,
          to: r.recipient,
          type: r.type,
          text: r.text,
          mediaUrl: r.media_url,
          receivedAt: r.received_at.toISOString(),
        })),
        next: rows.length === req.query.limit ? rows[rows.length - 1]?.id : undefined,
      };
    },
  );
};
