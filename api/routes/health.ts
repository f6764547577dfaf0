// GET /healthz: is Temporal reachable, is the database reachable. Unauthenticated (load balancers
// call it), so it says only `unavailable`; why goes to the log (security review L1).
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { databaseReachable } from '../../db/pool.js';
import type { AppDeps } from '../deps.js';

const check = z.object({ status: z.enum(['ok', 'unavailable']) });

async function temporalCheck(deps: AppDeps, log: FastifyBaseLogger): Promise<z.infer<typeof check>> {
  try {
    await deps.temporal.connection.withDeadline(Date.now() + 2_000, () =>
      deps.temporal.connection.workflowService.getSystemInfo({}),
    );
    return { status: 'ok' };
  } catch (err) {
    log.warn({ err }, 'health check: Temporal unreachable');
    return { status: 'unavailable' };
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
    async (req, reply) => {
      const [temporal, db] = await Promise.all([temporalCheck(deps, req.log), databaseReachable(deps.pool)]);
      if (!db) req.log.warn('health check: database unreachable');
      const database = { status: db ? ('ok' as const) : ('unavailable' as const) };
      if (temporal.status === 'ok' && database.status === 'ok') return { status: 'ok' as const, temporal, database };
      return reply.status(503).send({ status: 'degraded' as const, temporal, database });
    },
  );
};
