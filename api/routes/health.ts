// GET /healthz: is Temporal reachable, is the database reachable.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseReachable } from '../../db/pool.js';
import type { AppDeps } from '../deps.js';

const check = z.object({ status: z.enum(['ok', 'unavailable']), error: z.string().optional() });

async function temporalCheck(deps: AppDeps): Promise<z.infer<typeof check>> {
  try {
    await deps.temporal.connection.withDeadline(Date.now() + 2_000, () =>
      deps.temporal.connection.workflowService.getSystemInfo({}),
    );
    return { status: 'ok' };
  } catch (err) {
    return { status: 'unavailable', error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

export const healthRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Reachability of Temporal and PostgreSQL',
        response: {
          200: z.object({ status: z.literal('ok'), temporal: check, database: check }),
          503: z.object({ status: z.literal('degraded'), temporal: check, database: check }),
        },
      },
    },
    async (_req, reply) => {
      const [temporal, db] = await Promise.all([temporalCheck(deps), databaseReachable(deps.pool)]);
      const database = db
        ? { status: 'ok' as const }
        : { status: 'unavailable' as const, error: 'database unreachable' };
      if (temporal.status === 'ok' && database.status === 'ok') return { status: 'ok' as const, temporal, database };
      return reply.status(503).send({ status: 'degraded' as const, temporal, database });
    },
  );
};
