// API keys on /v1/* and /codec/*: `Authorization: Bearer <key>`, compared in constant time. The
// request's log lines then carry the key's name (KURIR_API_KEYS `name:key`), never the key.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../config/api-keys.js';
import { unauthorized } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** Checks the request's bearer key; returns the key's name, which its log lines then carry. */
export function authenticate(req: FastifyRequest, reply: FastifyReply, keys: ApiKey[]): string {
  const token = bearerToken(req.headers.authorization);
  const match = token === undefined ? undefined : keys.find((k) => safeEqual(k.key, token));
  if (!match) throw unauthorized('missing or invalid API key (Authorization: Bearer <key>)');
  // The reply's logger writes the "request completed" line: both carry the name.
  req.log = reply.log = req.log.child({ apiKeyName: match.name });
  return match.name;
}

export function registerApiKeyAuth(app: FastifyInstance, keys: ApiKey[]): void {
  app.addHook('onRequest', async (req, reply) => {
    authenticate(req, reply, keys);
  });
}
