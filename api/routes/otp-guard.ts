// REST for the OTP guard (api/otp-guard.ts): its figures, the blocked prefixes, and lifting a
// block. Not in any key scope (config/api-keys.ts): an operator's key without scopes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { activeBlocks, unblockPrefix } from '../../db/otp-conversion.js';
import { byChannel, OTP_STATS_MAX_WINDOW_MS, otpStats } from '../../db/otp-stats.js';
import { parseDurationMs } from '../../domain/durations.js';
import type { AppDeps } from '../deps.js';
import { windowParam } from './window-param.js';
import { notFound } from '../errors.js';

const block = z.object({
  prefix: z.string(),
  country: z.string(),
  blockedAt: z.string(),
  until: z.string(),
  sends: z.number(),
  verified: z.number(),
});

const conversion = { sent: z.number(), otps: z.number(), verified: z.number(), conversion: z.number().nullable() };
const rate = <T extends { otps: number; verified: number }>(r: T) => ({
  ...r,
  conversion: r.otps ? r.verified / r.otps : null,
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

  app.get(
    '/v1/otp-guard/stats',
    {
      schema: {
        tags: ['otp'],
        summary: 'Codes sent, OTPs verified and conversion per country and channel; refusals per country and reason',
        description:
          'Over the OTPs the guard admitted in the window. A verification is credited to the channel of the ' +
          "OTP's last code; `conversion` is verified / OTPs (null with no OTP).",
        querystring: z.object({
          window: windowParam(OTP_STATS_MAX_WINDOW_MS, '7 days'),
        }),
        response: {
          200: z.object({
            window: z.string(),
            since: z.string(),
            byChannel: z.array(z.object({ channel: z.string(), ...conversion })),
            byCountry: z.array(z.object({ country: z.string(), channel: z.string(), ...conversion })),
            refused: z.array(z.object({ country: z.string(), reason: z.string(), count: z.number() })),
          }),
        },
      },
    },
    async (req) => {
      const windowMs = parseDurationMs(req.query.window)!;
      const stats = await otpStats(deps.pool, windowMs);
      return {
        window: req.query.window,
        since: new Date(Date.now() - windowMs).toISOString(),
        byChannel: byChannel(stats.conversion).map(rate),
        byCountry: stats.conversion.map(rate),
        refused: stats.refused,
      };
    },
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
