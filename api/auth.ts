// API keys on /v1/*: `Authorization: Bearer <key>`, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { unauthorized } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export function registerApiKeyAuth(app: FastifyInstance, keys: string[]): void {
  app.addHook('onRequest', async (req) => {
    const token = bearerToken(req.headers.authorization);
    if (!token || !keys.some((k) => safeEqual(k, token))) throw unauthorized('missing or invalid API key (Authorization: Bearer <key>)');
  });
}
