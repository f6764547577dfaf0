// Builds the Fastify instance around the app plugin: logger, request ids, body limit, timeouts.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { app } from './app.js';
import { requestSerializer } from './log-serializers.js';
import type { AppDeps } from './deps.js';
import { parseDurationMs } from '../schemas/duration.js';

/** Receiving a whole request (headers and body, a CSV upload included) must end within this. */
export const REQUEST_TIMEOUT_MS = 120_000;

export interface ServerTimeouts {
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export async function buildServer(
  deps: AppDeps,
  logger: FastifyBaseLogger | false = false,
  timeouts: ServerTimeouts = {},
): Promise<FastifyInstance> {
  const heartbeatMs = parseDurationMs(deps.config.SSE_HEARTBEAT) ?? 15_000;
  const server = Fastify({
    // Own serializers of the instance win over Fastify's: the URL is logged without secrets.
    loggerInstance: logger === false ? undefined : logger.child({}, { serializers: { req: requestSerializer } }),
    logger: logger === false ? false : undefined,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: false,
    // requestTimeout bounds receiving the request only, so SSE responses are not cut by it.
    requestTimeout: timeouts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // A socket silent this long is closed; SSE streams write a heartbeat well within it.
    connectionTimeout: timeouts.connectionTimeoutMs ?? Math.max(REQUEST_TIMEOUT_MS, 3 * heartbeatMs),
  });
  await server.register(async (instance) => app(instance, deps));
  await server.ready();
  return server;
}
