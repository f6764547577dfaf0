// Property-based fuzzing (fast-check) of every REST and callback route the app serves (listed from
// its OpenAPI document) through inject: malformed JSON, wrong types, huge bodies, bad encodings,
// odd content types, missing and forged credentials. Never a 5xx, every refusal a 4xx with a JSON
// message, and without valid credentials no effect: no callback_inbox row, no workflow started.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { signEngageLabCallback, ENGAGELAB_CALLBACK_HEADER } from '../../providers/engagelab/callbacks.js';
import { allCallbackEndpoints } from '../../providers/registry.js';
import type { TestDatabase } from '../../scripts/test-database.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { bodies, contentTypes, paramValues, queries, urlFor, type Route } from './helpers/hostile.js';
import { ownDatabase } from './helpers/own-database.js';
import { size } from './helpers/size.js';
import { stopWorkerlessStack } from './helpers/teardown.js';

const RUNS = size(25, 300);
const API_KEY = 'hostile-test-key-0123456789';
const ANSWER_MS = 15_000;
let seq = 1;
let stack: Stack;
let db: TestDatabase;
let routes: Route[];

before(async () => {
  db = await ownDatabase();
  stack = await startStack({
    logLevel: 'fatal',
    worker: false,
    env: { DATABASE_URL: db.url, KURIR_API_KEYS: API_KEY },
  });
  const doc = (await stack.api.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<string, Record<string, unknown>>;
  }>();
  // Event streams are left out: a valid request to them never ends, by design.
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(
        ([m, op]) => m !== 'parameters' && !JSON.stringify(op).includes('text/event-stream') && path !== '/v1/events',
      )
      .map(([m]) => ({ method: m.toUpperCase(), path })),
  );
});
after(async () => {
  await stopWorkerlessStack(stack);
  await db?.drop();
});

// A query-token endpoint is also served with its secret as the last path segment.
const SECRET_SEGMENT = /\/\{secret\}$/;
const callbackFor = (path: string) => allCallbackEndpoints().find((e) => e.path === path.replace(SECRET_SEGMENT, ''));
const isCallback = (r: Route) => callbackFor(r.path) !== undefined;
const PUBLIC = ['/healthz', '/metrics'];
const needsKey = (r: Route) => !isCallback(r) && !PUBLIC.includes(r.path) && !r.path.startsWith('/docs');

/** Valid credentials for a route, as headers and query. */
function credentials(route: Route): { headers: Record<string, string>; query: Record<string, string> } {
  const endpoint = callbackFor(route.path);
  if (!endpoint) return { headers: needsKey(route) ? { authorization: `Bearer ${API_KEY}` } : {}, query: {} };
  switch (endpoint.auth) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` }, query: {} };
    case 'token-query':
      return { headers: {}, query: { token: stack.config.CALLBACK_TOKEN } };
    case 'signature':
      return {
        headers: {
          [ENGAGELAB_CALLBACK_HEADER.toLowerCase()]: signEngageLabCallback(
            stack.config.ENGAGELAB_CALLBACK_SECRET,
            'kurir-sandbox',
            Date.now(),
          ),
        },
        query: {},
      };
  }
}

/** Missing or forged credentials. */
const forged = fc.oneof(
  fc.constant({ headers: {}, query: {} }),
  fc
    .stringMatching(/^[\x21-\x7e]{1,40}$/)
    .map((t) => ({ headers: { authorization: `Bearer ${t}` }, query: { token: t } })),
  fc.constant({ headers: { authorization: `Bearer ${API_KEY}x` }, query: { token: 'dev-callback-tokenx' } }),
  fc.constant({ headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` }, query: {} }),
  fc.constant({
    headers: {
      [ENGAGELAB_CALLBACK_HEADER.toLowerCase()]: signEngageLabCallback('a-wrong-secret', 'kurir-sandbox', Date.now()),
    },
    query: {},
  }),
  fc
    .stringMatching(/^[\x21-\x7e]{1,80}$/)
    .map((t) => ({ headers: { [ENGAGELAB_CALLBACK_HEADER.toLowerCase()]: t }, query: {} })),
);

interface Shot {
  route: Route;
  body: string | Buffer | undefined;
  contentType: string | undefined;
  query: Record<string, string>;
  params: string[];
}
const shots = (list: () => Route[]) =>
  fc.record({
    route: fc.constant(null).chain(() => fc.constantFrom(...list())),
    body: bodies,
    contentType: contentTypes,
    query: queries,
    params: fc.array(paramValues, { minLength: 1, maxLength: 2 }),
  });

async function fire(
  s: Shot,
  auth: { headers: Record<string, string>; query: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...auth.headers };
  if (s.contentType !== undefined) headers['content-type'] = s.contentType;
  const send = s.body !== undefined && s.route.method !== 'GET';
  // A fresh client address per shot: the rate limits (per IP) would otherwise answer 429 to most of the run.
  const remoteAddress = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq++ & 255}`;
  const res = stack.api.inject({
    method: s.route.method as 'GET',
    url: urlFor(s.route, s.params, { ...s.query, ...auth.query }),
    headers,
    remoteAddress,
    ...(send ? { payload: s.body } : {}),
  });
  // A request that hangs is a failure too (and would stall the property run).
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${describeShot(s)}: no answer within ${ANSWER_MS} ms`)), ANSWER_MS);
  });
  try {
    return await Promise.race([res, hung]);
  } finally {
    clearTimeout(timer);
  }
}

function assertRefusal(res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  assert.match(String(res.headers['content-type']), /application\/json/, `${what}: JSON`);
  const message = res.json<{ message?: unknown }>().message;
  assert.ok(typeof message === 'string' && message.length > 0, `${what}: a message`);
}

const describeShot = (s: Shot) =>
  `${s.route.method} ${urlFor(s.route, s.params, s.query)} [${s.contentType ?? 'no content-type'}]`;
const inboxRows = async () =>
  Number((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM callback_inbox')).rows[0]!.n);

describe('hostile input', () => {
  test('the app lists REST and callback routes', () => {
    assert.ok(
      routes.some((r) => r.path === '/v1/messages') &&
        routes.some((r) => r.path === '/v1/otp') &&
        routes.some((r) => r.path === '/v1/campaigns'),
    );
    for (const e of allCallbackEndpoints())
      assert.ok(
        routes.some((r) => r.path === e.path && r.method === e.method),
        `${e.method} ${e.path}`,
      );
  });

  // First, before the fuzzing has used up the per-route rate limits (429 comes before the body is read).
  test('bodies over BODY_LIMIT_BYTES are refused with 413 on every route that takes a body', async () => {
    const huge = `{"to":"${'9'.repeat(stack.config.BODY_LIMIT_BYTES)}"}`;
    const posts = routes.filter((r) => r.method !== 'GET');
    assert.ok(posts.length > 5);
    for (const r of posts) {
      // (A text/csv campaign upload is streamed by design, "any size": not limited here.)
      for (const type of ['application/json']) {
        const { headers, query } = credentials(r);
        const res = await stack.api.inject({
          method: r.method as 'POST',
          url: urlFor(r, SECRET_SEGMENT.test(r.path) ? [stack.config.CALLBACK_TOKEN] : ['x'], query),
          headers: { ...headers, 'content-type': type },
          payload: huge,
        });
        assert.equal(
          res.statusCode,
          413,
          `${r.method} ${r.path} (${type}): ${res.statusCode} ${res.body.slice(0, 200)}`,
        );
        assertRefusal(res, `${r.method} ${r.path}`);
      }
    }
  });

  test('without valid credentials: always a 4xx with a message, and no effect', { timeout: 600_000 }, async () => {
    const guarded = () => routes.filter((r) => needsKey(r) || isCallback(r));
    await fc.assert(
      fc.asyncProperty(shots(guarded), forged, async (s, auth) => {
        const res = await fire(s, auth);
        assertRefusal(res, describeShot(s));
      }),
      { numRuns: RUNS * guarded().length },
    );
    // Also every guarded route with a well-formed body and no credentials at all.
    for (const r of guarded())
      assertRefusal(
        await stack.api.inject({
          method: r.method as 'GET',
          url: r.path.replace(/\{[^}]+\}/g, 'x'),
          ...(r.method === 'GET' ? {} : { payload: {} }),
        }),
        `${r.method} ${r.path}`,
      );
    assert.equal(await inboxRows(), 0, 'no callback stored');
    const started = await stack.client.workflow.count(`TaskQueue = "${stack.taskQueue}"`);
    assert.equal(started.count, 0, 'no workflow started');
  });

  test('with valid credentials: never a 5xx; refusals are 4xx with a message', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        shots(() => routes),
        async (s) => {
          const res = await fire(s, credentials(s.route));
          assert.ok(res.statusCode < 500, `${describeShot(s)}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400) assertRefusal(res, describeShot(s));
        },
      ),
      { numRuns: RUNS * routes.length },
    );
  });

  test('the relay drains whatever the fuzzing stored: no row stalls it', async () => {
    // A stored poison row used to make every drain fail for good (security review H1).
    await stack.relay.drain();
  });

  test('the app still answers after the fuzzing', async () => {
    const res = await stack.api.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200, res.body);
  });
});
