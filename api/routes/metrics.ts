// GET /metrics: Prometheus text format, no API key (like /healthz). Workflow outcomes are
// collected from Temporal first, with a bounded wait so a scrape never hangs.
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { metricsRegistry } from '../../services/metrics.js';

export const metricsRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    await deps.outcomes?.collect(5_000);
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
