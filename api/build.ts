// Builds the Fastify instance around the app plugin: logger, request ids, body limit.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { app } from './app.js';
import { requestSerializer } from './log-serializers.js';
import type { AppDeps } from './deps.js';

export async function buildServer(deps: AppDeps, logger: FastifyBaseLogger | false = false): Promise<FastifyInstance> {
  const server = Fastify({
    // Own serializers of the instance win over Fastify's: the URL is logged without secrets.
    loggerInstance: logger === false ? undefined : logger.child({}, { serializers: { req: requestSerializer } }),
    logger: logger === false ? false : undefined,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: false,
  });
  await server.register(async (instance) => app(instance, deps));
  await server.ready();
  return server;
}
