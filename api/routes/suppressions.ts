// Opt-outs over REST (issue #19): suppress a number on a channel (or all), list, lift. Marketing
// and utility steps to a suppressed number are skipped; OTPs never are. In the `messages` scope.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listSuppressions, suppress, unsuppress, type Suppression } from '../../db/suppressions.js';
import { E164, E164_MESSAGE } from '../../domain/phone.js';
import { apiKeyNameOf } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';

const phone = z.string().regex(E164, E164_MESSAGE);
const channel = z.enum(['whatsapp', 'sms', 'all']);
const suppression = z.object({
  phone: z.string(),
  channel,
  reason: z.string(),
  source: z.string(),
  createdAt: z.string(),
});
const shown = (s: Suppression) => ({ ...s, createdAt: s.createdAt.toISOString() });

export const suppressionRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.post(
    '/v1/suppressions',
    {
      schema: {
        tags: ['messages'],
        summary: 'Suppress a number on a channel (or all): its marketing and utility messages are not sent',
        body: z.object({
          phone,
          channel: channel.default('all'),
          reason: z.string().min(1).max(200).default('requested'),
        }),
        response: { 201: suppression },
      },
    },
    async (req, reply) => {
      const source = `api:${apiKeyNameOf(req) ?? 'unknown'}`;
      return reply.status(201).send(shown(await suppress(deps.pool, { ...req.body, source })));
    },
  );

  app.get(
    '/v1/suppressions',
    {
      schema: {
        tags: ['messages'],
        summary: 'Suppressed numbers, newest first (one number with ?phone=)',
        querystring: z.object({
          phone: phone.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          before: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: z.object({ items: z.array(suppression) }) },
      },
    },
    async (req) => ({
      items: (
        await listSuppressions(deps.pool, {
          phone: req.query.phone,
          limit: req.query.limit,
          ...(req.query.before ? { before: new Date(req.query.before) } : {}),
        })
      ).map(shown),
    }),
  );

  app.delete(
    '/v1/suppressions/:phone',
    {
      schema: {
        tags: ['messages'],
        summary: "Lift a number's suppressions (one channel with ?channel=)",
        params: z.object({ phone }),
        querystring: z.object({ channel: channel.optional() }),
        response: { 200: z.object({ items: z.array(suppression) }) },
      },
    },
    async (req) => {
      const lifted = await unsuppress(
        deps.pool,
        req.params.phone,
        req.query.channel,
        `api:${apiKeyNameOf(req) ?? 'unknown'}`,
      );
      if (lifted.length === 0) throw notFound(`a suppression of ${req.params.phone}`);
      return { items: lifted.map(shown) };
    },
  );
};
