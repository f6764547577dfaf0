// GET /v1/providers: each provider's mode (live or sandbox), channels and circuit breaker
// (db/circuits.ts: closed, open or half_open, with its consecutive failures and since when open).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listCircuits, type Circuit } from '../../db/circuits.js';
import type { AppDeps } from '../deps.js';

/** A provider's circuit as the API shows it; closed when it never failed. */
export function circuitOf(circuits: Circuit[], name: string) {
  const c = circuits.find((x) => x.provider === name);
  return { state: c?.state ?? 'closed', failures: c?.failures ?? 0, openedAt: c?.openedAt?.toISOString() ?? null };
}

export const providerRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/v1/providers',
    {
      schema: {
        tags: ['messages'],
        summary: 'Providers: live or sandbox, channels, and circuit breaker state',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                name: z.string(),
                mode: z.string(),
                channels: z.array(z.string()),
                circuit: z.object({
                  state: z.enum(['closed', 'open', 'half_open']),
                  failures: z.number(),
                  openedAt: z.string().nullable(),
                }),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const circuits = await listCircuits(deps.pool);
      return {
        items: deps.providers.names.map((name) => ({
          name,
          mode: deps.providers.modes[name],
          channels: [...deps.providers.get(name).channels],
          circuit: circuitOf(circuits, name),
        })),
      };
    },
  );
};
