// REST for the OTP guard's blocked prefixes (api/otp-guard.ts): list them and lift a block. Not in
// any key scope (config/api-keys.ts): an operator's key without scopes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { activeBlocks, unblockPrefix } from '../../db/otp-conversion.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';

const block = z.object({
  prefix: z.string(),
  country: z.string(),
  blockedAt: z.string(),
  until: z.string(),
  sends: z.number(),
  verified: z.number(),
});

export const otpGuardRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/otp-guard/blocks',
    {
      schema: {
        tags: ['otp'],
        summary: 'Number prefixes blocked for sending codes nobody verifies',
        response: { 200: z.object({ items: z.array(block) }) },
      },
    },
    async () => ({
      items: (await activeBlocks(deps.pool)).map((b) => ({
        ...b,
        blockedAt: b.blockedAt.toISOString(),
        until: b.until.toISOString(),
      })),
    }),
  );

  app.post(
    '/v1/otp-guard/blocks/:prefix/unblock',
    {
      schema: {
        tags: ['otp'],
        summary: 'Lift a prefix block; sends before now no longer count against the prefix',
        params: z.object({ prefix: z.string().regex(/^\+[1-9]\d{3,14}$/, 'must be a number prefix like +6281299') }),
        response: { 200: z.object({ prefix: z.string(), unblocked: z.literal(true) }) },
      },
    },
    async (req) => {
      if (!(await unblockPrefix(deps.pool, req.params.prefix))) throw notFound(`a block of ${req.params.prefix}`);
      return { prefix: req.params.prefix, unblocked: true as const };
    },
  );
};
