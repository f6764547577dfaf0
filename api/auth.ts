// API keys on /v1/* and /codec/*: `Authorization: Bearer <key>`, compared in constant time. The
// request's log lines then carry the key's name (KURIR_API_KEYS `name:key`), never the key. A key
// with scopes (`name[messages+otp]:key`) may call only the routes of those scopes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey, ApiScope } from '../config/api-keys.js';
import { HttpError, unauthorized } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Digests of configured secrets: every callback and API request compares against the same few. */
const secretDigests = new Map<string, Buffer>();
const SECRET_DIGESTS_MAX = 1_000;

/** Constant-time `candidate === secret`; only `secret` (a configured value, never request input) is cached. */
export function safeEqual(candidate: string, secret: string): boolean {
  let known = secretDigests.get(secret);
  if (!known) {
    known = digest(secret);
    if (secretDigests.size < SECRET_DIGESTS_MAX) secretDigests.set(secret, known);
  }
  return timingSafeEqual(digest(candidate), known);
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** The scope of a route, by its path pattern; a route in none is for keys without scopes only. */
const ROUTE_SCOPES: ReadonlyArray<[RegExp, ApiScope]> = [
  [/^\/v1\/(messages|inbound|suppressions|contacts)(\/|$)/, 'messages'],
  [/^\/v1\/otp(\/|$)/, 'otp'],
  [/^\/v1\/campaigns(\/|$)/, 'campaigns'],
  [/^\/v1\/events$/, 'events'],
  [/^\/v1\/(webhooks|callbacks)(\/|$)/, 'webhooks'],
  [/^\/v1\/ui\//, 'dashboard'],
  [/^\/codec\/decode$/, 'codec'],
  [/^\/codec\/encode$/, 'codec-encode'],
];

export function scopeOfRoute(routeUrl: string): ApiScope | undefined {
  return ROUTE_SCOPES.find(([pattern]) => pattern.test(routeUrl))?.[1];
}

const keyNames = new WeakMap<FastifyRequest, string>();

/** The name of the API key a request authenticated with (limits and audit count per key). */
export function apiKeyNameOf(req: FastifyRequest): string | undefined {
  return keyNames.get(req);
}

/**
 * Checks the request's bearer key and, for a scoped key, that the route is in its scopes (403
 * naming the scope). Returns the key's name, which the request's log lines then carry.
 */
export function authenticate(req: FastifyRequest, reply: FastifyReply, keys: ApiKey[]): string {
  const token = bearerToken(req.headers.authorization);
  const match = token === undefined ? undefined : keys.find((k) => safeEqual(token, k.key));
  if (!match) throw unauthorized('missing or invalid API key (Authorization: Bearer <key>)');
  // The reply's logger writes the "request completed" line: both carry the name.
  req.log = reply.log = req.log.child({ apiKeyName: match.name });
  keyNames.set(req, match.name);
  if (match.scopes) {
    const scope = scopeOfRoute(req.routeOptions.url ?? req.url);
    if (scope === undefined || !match.scopes.has(scope))
      throw new HttpError(
        403,
        `API key "${match.name}" may not call ${req.method} ${req.routeOptions.url ?? req.url}: ${scope ? `it lacks the scope "${scope}"` : 'only a key without scopes may'}`,
        'forbidden',
      );
  }
  return match.name;
}

export function registerApiKeyAuth(app: FastifyInstance, keys: ApiKey[]): void {
  app.addHook('onRequest', async (req, reply) => {
    authenticate(req, reply, keys);
  });
}
