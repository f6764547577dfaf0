// GET /v1/callbacks/dead: stored callbacks the relay set aside because no retry can relay them (a
// body no parser reads, a value the database refuses), with the error, newest first. The bodies are
// cut short; their callback token was never stored.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listDeadCallbacks } from '../../db/callback-inbox.js';
import type { AppDeps } from '../deps.js';

/** Enough of a body to recognise it; the whole body stays in callback_inbox. */
export const DEAD_BODY_CHARS = 1_000;

export const deadCallbackRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/callbacks/dead',
    {
      schema: {
        tags: ['callbacks'],
        summary: 'Dead callbacks (the relay cannot deliver them), newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.string().regex(/^\d+$/, 'must be a callback id').optional(),
        }),
      },
    },
    async (req) => {
      const rows = await listDeadCallbacks(deps.pool, {
        limit: req.query.limit,
        beforeId: req.query.before,
        bodyChars: DEAD_BODY_CHARS,
      });
      return {
        items: rows.map((r) => ({
          id: r.id,
          provider: r.provider,
          route: r.route,
          receivedAt: r.received_at.toISOString(),
          deadAt: r.dead_at.toISOString(),
          error: r.error ?? '',
          body: r.body,
          bodyTruncated: r.body_length > r.body.length,
        })),
        next: rows.length === req.query.limit ? rows[rows.length - 1]?.id : undefined,
      };
    },
  );
};
