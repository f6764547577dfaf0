// GET /v1/contacts/:phone/window: the WhatsApp customer-service window of a number, per provider
// it applies to (db/service-window.ts): when the customer last wrote, whether a session text may go
// now, and until when.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { serviceWindowOf } from '../../db/service-window.js';
import { parseDurationMs } from '../../domain/durations.js';
import { E164, E164_MESSAGE } from '../../domain/phone.js';
import type { AppDeps } from '../deps.js';

export const contactRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const windowMs = parseDurationMs(deps.config.WHATSAPP_SERVICE_WINDOW) ?? 86_400_000;
  app.get(
    '/v1/contacts/:phone/window',
    {
      schema: {
        tags: ['messages'],
        summary: "A number's WhatsApp customer-service window per provider (session texts only while it is open)",
        params: z.object({ phone: z.string().regex(E164, E164_MESSAGE) }),
        response: {
          200: z.object({
            phone: z.string(),
            window: z.string(),
            providers: z.array(
              z.object({
                provider: z.string(),
                lastInboundAt: z.string().nullable(),
                open: z.boolean(),
                closesAt: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => ({
      phone: req.params.phone,
      window: deps.config.WHATSAPP_SERVICE_WINDOW,
      providers: await Promise.all(
        deps.config.SERVICE_WINDOW_PROVIDERS.map((p) => serviceWindowOf(deps.pool, p, req.params.phone, windowMs)),
      ),
    }),
  );
};
