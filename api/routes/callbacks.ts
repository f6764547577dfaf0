// Provider callbacks, one route per endpoint the descriptors declare; this file names no provider.
// Authenticate by the endpoint's auth kind against the secrets in its `secretEnv` variable (a
// rotation list), validate, store the raw body in callback_inbox, and only then ack in the
// provider's format. If the database is down the error handler answers 503 and nothing is acked.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CallbackNonces } from '../../db/callback-nonces.js';
import { InboxWriter } from '../../db/inbox-writer.js';
import { AccessTokenCheck } from '../access-token-check.js';
import { parseIpAllowlist } from '../ip-allowlist.js';
import { BadRequestError } from '../../providers/errors.js';
import { callbackSecrets, setting } from '../../providers/registry.js';
import type { CallbackEndpoint, CallbackRequest, ParsedCallback } from '../../providers/types.js';
import { bearerToken, safeEqual } from '../auth.js';
import { guardCallbackRequest, guardParsedCallback } from '../callback-guard.js';
import type { AppDeps } from '../deps.js';
import { observeCallbackStored } from '../metrics.js';
import { HttpError, unauthorized } from '../errors.js';

function flatten(record: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(record)) {
    const first: unknown = Array.isArray(v) ? v[0] : v;
    out[k] = typeof first === 'string' ? first : first === undefined ? undefined : JSON.stringify(first);
  }
  return out;
}

/** True when the request is authentic for any of `secrets` (the current one and those being retired). */
function authentic(
  endpoint: CallbackEndpoint,
  creq: CallbackRequest,
  secrets: string[],
  pathSecret: string | undefined,
  providerSetting: (key: string) => string | undefined,
): boolean {
  // No secret authenticates nothing (every shipped one has a development default).
  return secrets.some((s) => s !== '' && authenticFor(endpoint, creq, s, pathSecret, providerSetting));
}

function authenticFor(
  endpoint: CallbackEndpoint,
  creq: CallbackRequest,
  secret: string,
  pathSecret: string | undefined,
  providerSetting: (key: string) => string | undefined,
): boolean {
  switch (endpoint.auth) {
    case 'bearer': {
      const t = bearerToken(creq.headers.authorization);
      return t !== undefined && safeEqual(t, secret);
    }
    case 'token-query': {
      // The path form first: a gateway that appends "?a=b" to the registered URL cannot break it.
      const t = pathSecret ?? creq.query.token;
      return t !== undefined && safeEqual(t, secret);
    }
    case 'signature':
      return endpoint.verifySignature?.(creq, secret, Date.now(), providerSetting) ?? false;
  }
}

/** The route parameter of the path-secret form; api/log-serializers.ts masks it in logged URLs. */
export const PATH_SECRET_PARAM = 'secret';

/**
 * The callback routes, as a plugin so their JSON parser keeps the raw bytes: the inbox stores what
 * the provider sent, not a re-serialisation of it (security review M2).
 */
export async function callbackRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Addresses and CIDRs; the config schema already refused a malformed entry at start.
  const allow = parseIpAllowlist(deps.config.CALLBACK_IP_ALLOWLIST);
  const inbox = new InboxWriter(deps.pool);
  const accessTokens = new AccessTokenCheck(deps.pool);
  const providerSetting = (key: string) => setting(deps.config, key);
  const rawBodies = new WeakMap<FastifyRequest, string>();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    rawBodies.set(req, body as string);
    void parseJson(req, body as string, done); // the default parser answers through `done`
  });
  // A query-token endpoint is served at its path with ?token=<secret>, and at <path>/<secret>.
  const routes = deps.callbackEndpoints.flatMap((endpoint) =>
    endpoint.auth === 'token-query'
      ? [
          { endpoint, url: `${endpoint.path}/:${PATH_SECRET_PARAM}` },
          { endpoint, url: endpoint.path },
        ]
      : [{ endpoint, url: endpoint.path }],
  );
  const nonceStores = new Map<number, CallbackNonces>();
  const nonces = (endpoint: CallbackEndpoint) => {
    const windowSec = endpoint.replay?.windowSec ?? 0;
    let store = nonceStores.get(windowSec);
    if (!store) nonceStores.set(windowSec, (store = new CallbackNonces(deps.pool, windowSec)));
    return store;
  };
  for (const { endpoint, url } of routes) {
    app.route({
      method: endpoint.method,
      url,
      // Callbacks are small: a tight limit of their own, below the API's BODY_LIMIT_BYTES.
      bodyLimit: deps.config.CALLBACK_BODY_LIMIT_BYTES,
      schema: { tags: ['callbacks'], summary: `${endpoint.provider} callback (${endpoint.auth} auth)`, hide: false },
      // Every scheme needs only the headers and the query: refuse before the body is read, so no
      // unauthenticated request costs a JSON parse (security review M1).
      onRequest: async (req: FastifyRequest) => {
        if (allow && !allow.allows(req.ip))
          throw new HttpError(403, `callbacks from ${req.ip} are not allowed`, 'forbidden');
        const headersOnly: CallbackRequest = {
          method: req.method,
          query: flatten(req.query as Record<string, unknown>),
          headers: flatten(req.headers),
          body: undefined,
          rawBody: '',
        };
        const pathSecret = (req.params as Record<string, string | undefined>)[PATH_SECRET_PARAM];
        if (endpoint.acceptsAccessToken) {
          const mode = setting(deps.config, endpoint.acceptsAccessToken.modeEnv) ?? 'either';
          const secrets = mode === 'access-token' ? [] : callbackSecrets(deps.config, endpoint);
          const token = bearerToken(headersOnly.headers.authorization);
          if (authentic(endpoint, headersOnly, secrets, undefined, providerSetting)) return;
          if (mode !== 'static' && token !== undefined && (await accessTokens.accepts(endpoint.provider, token)))
            return;
          throw unauthorized(`${endpoint.provider} callback: missing, stale or invalid credentials`);
        }
        if (!authentic(endpoint, headersOnly, callbackSecrets(deps.config, endpoint), pathSecret, providerSetting))
          throw unauthorized(`${endpoint.provider} callback: missing or invalid credentials`);
      },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const query = flatten(req.query as Record<string, unknown>);
        const creq: CallbackRequest = { method: req.method, query, headers: flatten(req.headers), body: req.body };
        guardCallbackRequest(creq); // NUL and control characters, oversize or deep values: 400 naming the field
        // A JSON body as it arrived; another type as JSON (after the depth check: it cannot overflow).
        creq.rawBody = rawBodies.get(req) ?? (req.body === undefined ? '' : JSON.stringify(req.body));
        let parsed: ParsedCallback;
        try {
          parsed = endpoint.parse(creq);
        } catch (err) {
          if (err instanceof BadRequestError) throw new HttpError(400, err.message, 'invalid_callback', err.field);
          throw err;
        }
        guardParsedCallback(creq, parsed); // overlong ids, impossible times: 400 naming the field
        const replayKey = endpoint.replay?.key(creq);
        if (replayKey !== undefined && !(await nonces(endpoint).admit(endpoint.provider, replayKey, creq.rawBody)))
          throw unauthorized(`${endpoint.provider} callback: this signature was already used with another body`);
        // The secret never goes to the database.
        const { token: _token, ...storedQuery } = query;
        await inbox.store({
          provider: endpoint.provider,
          route: endpoint.path,
          method: req.method,
          query: Object.fromEntries(
            Object.entries(storedQuery).filter((e): e is [string, string] => e[1] !== undefined),
          ),
          body: creq.rawBody ?? '',
        });
        observeCallbackStored(endpoint.provider, parsed);
        deps.relay?.wake();
        return reply
          .status(endpoint.ack.status)
          .type(endpoint.ack.contentType ?? 'application/json')
          .send(typeof endpoint.ack.body === 'string' ? endpoint.ack.body : JSON.stringify(endpoint.ack.body));
      },
    });
  }
}
