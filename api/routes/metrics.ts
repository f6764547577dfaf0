// GET /metrics: Prometheus text format. Open when METRICS_TOKEN is unset (a scraper on a private
// network), otherwise `Authorization: Bearer <METRICS_TOKEN>` (security review L1). Workflow
// outcomes are collected from Temporal first, with a bounded wait so a scrape never hangs; the
// OTP figures are read from PostgreSQL.
import type { FastifyPluginAsync } from 'fastify';
import { bearerToken, safeEqual } from '../auth.js';
import type { AppDeps } from '../deps.js';
import { unauthorized } from '../errors.js';
import { metricsRegistry } from '../../services/metrics.js';
import { refreshCircuitGauge, refreshOtpGauges } from '../../services/otp-metrics.js';

export const metricsRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const token = deps.config.METRICS_TOKEN;
  const onRequest = async (req: { headers: { authorization?: string } }) => {
    const given = bearerToken(req.headers.authorization);
    if (token !== undefined && (given === undefined || !safeEqual(given, token)))
      throw unauthorized('metrics: missing or invalid token (Authorization: Bearer <METRICS_TOKEN>)');
  };
  const schema = { tags: ['health'], summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)' };
  app.get('/metrics', { schema, onRequest }, async (req, reply) => {
    await deps.outcomes?.collect(5_000);
    try {
      await Promise.all([refreshOtpGauges(deps.pool), refreshCircuitGauge(deps.pool)]);
    } catch (err) {
      req.log.warn({ err }, 'metrics: could not read the OTP figures; the gauges keep their last values');
    }
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
};
