// REST for webhook subscriptions: create (the secret is in this answer only), list, delete, rotate
// the signing secret, the dead-letter list of a subscription, and replay of its dead deliveries.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  deleteSubscription,
  getSubscription,
  insertSubscription,
  listFailures,
  listSubscriptions,
  replayDead,
  rotateSubscriptionSecret,
  type SubscriptionRow,
} from '../../db/webhooks.js';
import { EVENT_TYPES } from '../../workflows/event-types.js';
import type { AppDeps } from '../deps.js';
import { HttpError, notFound } from '../errors.js';
import { generateWebhookSecret, SecretBox } from '../../services/webhooks/secret-box.js';
import { checkWebhookUrl, WebhookUrlError } from '../../services/webhooks/url-policy.js';

const idParams = z.object({ id: z.string().regex(/^wh_[A-Za-z0-9-]{1,100}$/, 'must be a webhook id (wh_…)') });
const subscription = z.object({
  id: z.string(),
  url: z.string(),
  types: z.array(z.string()),
  description: z.string().optional(),
  createdAt: z.string(),
});
const eventBody = z.object({
  seq: z.number(),
  id: z.string(),
  type: z.string(),
  version: z.number(),
  messageId: z.string().optional(),
  otpId: z.string().optional(),
  campaignId: z.string().optional(),
  reference: z.string().optional(),
  provider: z.string().optional(),
  channel: z.string().optional(),
  occurredAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** The URL policy's refusal is a 400 naming the `url` field. */
async function allowedUrl(raw: string, config: AppDeps['config']): Promise<URL> {
  try {
    return await checkWebhookUrl(raw, {
      production: config.NODE_ENV === 'production',
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    });
  } catch (err) {
    if (err instanceof WebhookUrlError) throw new HttpError(400, err.message, 'validation_error', 'url');
    throw err;
  }
}

const view = (r: SubscriptionRow) => ({
  id: r.id,
  url: r.url,
  types: r.types,
  ...(r.description ? { description: r.description } : {}),
  createdAt: r.created_at.toISOString(),
});

export const webhookRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const box = new SecretBox(deps.config.WEBHOOK_SECRET_KEY);
  app.post(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe an endpoint to events; the signing secret is shown in this answer only',
        body: z.object({
          url: z.string().min(1).max(2_000),
          types: z
            .array(z.enum(EVENT_TYPES))
            .max(EVENT_TYPES.length)
            .optional()
            .describe('event types to receive; omitted or empty: all'),
          description: z.string().max(500).optional(),
        }),
        response: { 201: subscription.extend({ secret: z.string() }) },
      },
    },
    async (req, reply) => {
      const url = await allowedUrl(req.body.url, deps.config);
      const secret = generateWebhookSecret();
      const id = `wh_${randomUUID()}`;
      const row = await insertSubscription(deps.pool, {
        id,
        url: url.toString(),
        types: [...new Set(req.body.types ?? [])],
        secretEncrypted: box.seal(secret, id),
        description: req.body.description,
      });
      return reply.status(201).send({ ...view(row), secret });
    },
  );

  app.get(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook subscriptions (never their secrets)',
        response: { 200: z.object({ items: z.array(subscription) }) },
      },
    },
    async () => ({ items: (await listSubscriptions(deps.pool)).map(view) }),
  );

  app.get(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook subscription',
        params: idParams,
        response: { 200: subscription },
      },
    },
    async (req) => {
      const row = await getSubscription(deps.pool, req.params.id);
      if (!row) throw notFound(`webhook ${req.params.id}`);
      return view(row);
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    {
      schema: { tags: ['webhooks'], summary: 'Unsubscribe (pending deliveries are dropped)', params: idParams },
    },
    async (req, reply) => {
      if (!(await deleteSubscription(deps.pool, req.params.id))) throw notFound(`webhook ${req.params.id}`);
      return reply.status(204).send();
    },
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'A new signing secret (shown in this answer only); the old one keeps signing next to it until previousValidUntil',
        params: idParams,
        body: z
          .object({
            overlapSeconds: z
              .number()
              .int()
              .min(0)
              .max(7 * 86_400)
              .default(86_400)
              .describe('how long the old secret keeps signing (default 24 h)'),
          })
          .optional(),
        response: { 200: z.object({ secret: z.string(), previousValidUntil: z.string() }) },
      },
    },
    async (req) => {
      const secret = generateWebhookSecret();
      const overlapMs = (req.body?.overlapSeconds ?? 86_400) * 1000;
      const until = await rotateSubscriptionSecret(
        deps.pool,
        req.params.id,
        box.seal(secret, req.params.id),
        overlapMs,
      );
      if (!until) throw notFound(`webhook ${req.params.id}`);
      return { secret, previousValidUntil: until.toISOString() };
    },
  );

  app.get(
    '/v1/webhooks/:id/failures',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Dead-lettered events: every retry within the budget failed',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1_000).default(100) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                event: eventBody,
                attempts: z.number(),
                lastAttemptAt: z.string().nullable(),
                lastStatus: z.number().nullable(),
                lastError: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      if (!(await getSubscription(deps.pool, req.params.id))) throw notFound(`webhook ${req.params.id}`);
      return { items: await listFailures(deps.pool, req.params.id, req.query.limit) };
    },
  );

  app.post(
    '/v1/webhooks/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send dead-lettered events again (all, or the given event ids), with a fresh retry budget',
        params: idParams,
        body: z.object({ eventIds: z.array(z.string().min(1)).max(10_000).optional() }).optional(),
        response: { 202: z.object({ replayed: z.number() }) },
      },
    },
    async (req, reply) => {
      if (!(await getSubscription(deps.pool, req.params.id))) throw notFound(`webhook ${req.params.id}`);
      const replayed = await replayDead(deps.pool, req.params.id, req.body?.eventIds);
      deps.webhooks?.wake();
      return reply.status(202).send({ replayed });
    },
  );
};
