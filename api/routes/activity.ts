// The operator's view over REST (issue #21): GET /v1/messages, the activity feed of messages and
// OTPs (newest first, paged by cursor, filtered), and GET /v1/stats, the delivery KPIs per provider
// and channel over a window. Both read PostgreSQL (db/activity.ts), never Temporal.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deliveryStats, isCursor, listActivity } from '../../db/activity.js';
import { parseDurationMs } from '../../domain/durations.js';
import { apiKeyNameOf } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { windowParam } from './window-param.js';
import { HttpError } from '../errors.js';

const MAX_STATS_WINDOW_MS = 31 * 86_400_000;

const feedItem = z.object({
  id: z.string(),
  kind: z.enum(['message', 'otp']),
  startedAt: z.string(),
  updatedAt: z.string(),
  step: z.number().nullable(),
  status: z.string().nullable(),
  outcome: z.string().nullable(),
  provider: z.string().nullable(),
  channel: z.string().nullable(),
  reference: z.string().nullable(),
  campaignId: z.string().nullable(),
  fallbacks: z.number(),
});
const percentiles = z.object({ p50: z.number().nullable(), p90: z.number().nullable() });
const word = z.string().min(1).max(200);

export const activityRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The activity feed: recent messages and OTPs, newest first, paged by cursor',
        description:
          'Filters combine. `outcome=running` lists those not ended. `from`/`to` bound when they started. ' +
          'Pass `next` back as `cursor` for the next page.',
        querystring: z.object({
          kind: z.enum(['message', 'otp']).optional(),
          outcome: word.optional(),
          status: word.optional(),
          provider: word.optional(),
          channel: word.optional(),
          reference: word.optional(),
          campaign: word.optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          cursor: z.string().max(1000).refine(isCursor, 'must be the `next` of an earlier page').optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(feedItem), next: z.string().optional() }) },
      },
    },
    async (req) => {
      const q = req.query;
      // A key scoped to messages and not to otp sees messages only.
      const scopes = deps.config.KURIR_API_KEYS.find((k) => k.name === apiKeyNameOf(req))?.scopes;
      if (scopes && !scopes.has('otp')) {
        if (q.kind === 'otp') throw new HttpError(403, 'kind: this API key lacks the scope "otp"', 'forbidden', 'kind');
        q.kind = 'message';
      }
      return listActivity(
        deps.pool,
        {
          kind: q.kind,
          outcome: q.outcome,
          status: q.status,
          provider: q.provider,
          channel: q.channel,
          reference: q.reference,
          campaignId: q.campaign,
          ...(q.from ? { from: new Date(q.from) } : {}),
          ...(q.to ? { to: new Date(q.to) } : {}),
        },
        { cursor: q.cursor, limit: q.limit },
      );
    },
  );

  app.get(
    '/v1/stats',
    {
      schema: {
        tags: ['messages'],
        summary: 'Delivery KPIs per provider and channel over a window (1h, 24h, 7d)',
        description:
          'Over the attempts sent in the window: sends, delivered, read, failed, fell back, suppressed; delivery and ' +
          'read rates (of sends); median and p90 seconds from the provider taking a message to delivered and to read; ' +
          'fallback reasons.',
        querystring: z.object({
          window: windowParam(MAX_STATS_WINDOW_MS, '31 days'),
        }),
        response: {
          200: z.object({
            window: z.string(),
            since: z.string(),
            byProvider: z.array(
              z.object({
                provider: z.string(),
                channel: z.string(),
                sends: z.number(),
                delivered: z.number(),
                read: z.number(),
                failed: z.number(),
                fellBack: z.number(),
                suppressed: z.number(),
                deliveryRate: z.number().nullable(),
                readRate: z.number().nullable(),
                toDelivered: percentiles,
                toRead: percentiles,
              }),
            ),
            fallbackReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
          }),
        },
      },
    },
    async (req) => {
      const windowMs = parseDurationMs(req.query.window)!;
      return {
        window: req.query.window,
        since: new Date(Date.now() - windowMs).toISOString(),
        ...(await deliveryStats(deps.pool, windowMs)),
      };
    },
  );
};
