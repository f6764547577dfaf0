// Builds the Fastify instance around the app plugin: logger, request ids, proxies, body limit, timeouts.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { app } from './app.js';
import { parseIpAllowlist, type IpAllowlist } from './ip-allowlist.js';
import { requestSerializer } from './log-serializers.js';
import type { AppDeps } from './deps.js';
import { parseDurationMs } from '../schemas/duration.js';

/** Receiving a whole request (headers and body, a CSV upload included) must end within this. */
export const REQUEST_TIMEOUT_MS = 120_000;

/**
 * A client's x-request-id is kept only when short and plain (security review L3): it becomes req.id
 * in every log line, error body and the echoed header, so anything else is replaced by our own.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** TRUST_PROXY for Fastify: a list becomes a check of each hop's address (CIDRs, IPv4-mapped peers). */
function trustProxy(setting: boolean | string[]): boolean | ((address: string) => boolean) {
  if (typeof setting === 'boolean') return setting;
  const proxies: IpAllowlist | undefined = parseIpAllowlist(setting.join(','));
  return (address) => proxies?.allows(address) ?? false;
}

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
    // Read by requestId, which vets it; Fastify would take any value as sent.
    requestIdHeader: false,
    genReqId: requestId,
    // req.ip (rate limits, CALLBACK_IP_ALLOWLIST, logs) is the client behind these proxies.
    trustProxy: trustProxy(deps.config.TRUST_PROXY),
    // requestTimeout bounds receiving the request only, so SSE responses are not cut by it.
    requestTimeout: timeouts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // A socket silent this long is closed; SSE streams write a heartbeat well within it.
    connectionTimeout: timeouts.connectionTimeoutMs ?? Math.max(REQUEST_TIMEOUT_MS, 3 * heartbeatMs),
  });
  await server.register(async (instance) => app(instance, deps));
  await server.ready();
  return server;
}
