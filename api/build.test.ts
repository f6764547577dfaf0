// The Fastify instance's request identity (security review L2, L3): which address req.ip is behind
// a proxy (TRUST_PROXY), and which x-request-id a client may choose. Injected requests to a /v1 route
// are refused by the API key check before any route touches the database or Temporal, and the
// request's log line carries req.ip (api/log-serializers.ts), the address rate limits and
// CALLBACK_IP_ALLOWLIST see.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/index.js';
import { buildServer } from './build.js';

async function server(env: NodeJS.ProcessEnv) {
  const lines: Array<{ reqId?: string; req?: { remoteAddress?: string } }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as (typeof lines)[number]);
      done();
    },
  });
  // Nothing here reaches a route body: the unused parts are absent, not imitated.
  const app = await buildServer(
    {
      config: loadConfig(env),
      pool: undefined as never,
      temporal: undefined as never,
      callbackEndpoints: [],
      providers: undefined as never,
    },
    pino({ level: 'info' }, sink),
  );
  return { app, lines };
}

/** The address the request's log line gives, after an injected request from `peer`. */
async function seenIp(env: NodeJS.ProcessEnv, peer: string, forwardedFor?: string): Promise<string | undefined> {
  const { app, lines } = await server(env);
  try {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/messages/x',
      remoteAddress: peer,
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    });
    assert.equal(res.statusCode, 401);
    return lines.find((l) => l.req?.remoteAddress)?.req?.remoteAddress;
  } finally {
    await app.close();
  }
}

test('by default X-Forwarded-For is ignored: req.ip is the peer', async () => {
  assert.equal(await seenIp({}, '10.0.0.2', '203.0.113.9'), '10.0.0.2');
});

test('TRUST_PROXY=true takes the client from X-Forwarded-For', async () => {
  assert.equal(await seenIp({ TRUST_PROXY: 'true' }, '10.0.0.2', '203.0.113.9'), '203.0.113.9');
});

test('a TRUST_PROXY list believes only the listed proxies, by CIDR, IPv4-mapped peers included', async () => {
  const env = { TRUST_PROXY: '10.0.0.0/8, 2001:db8::1' };
  assert.equal(await seenIp(env, '10.1.2.3', '203.0.113.9'), '203.0.113.9');
  assert.equal(await seenIp(env, '::ffff:10.1.2.3', '203.0.113.9'), '203.0.113.9');
  assert.equal(await seenIp(env, '2001:db8::1', '198.51.100.4'), '198.51.100.4');
  // A client that is no listed proxy cannot choose its address.
  assert.equal(await seenIp(env, '198.51.100.77', '203.0.113.9'), '198.51.100.77');
  // A chain: the rightmost address not a trusted proxy is the client (a spoofed leftmost one is not).
  assert.equal(await seenIp(env, '10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.3'), '203.0.113.9');
});

test('TRUST_PROXY: a hop count or a bad entry fails the start, naming the variable', () => {
  assert.throws(() => loadConfig({ TRUST_PROXY: '1' }), /TRUST_PROXY: a hop count is not supported/);
  assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8,proxy.local' }), /TRUST_PROXY: .*"proxy\.local"/);
  assert.throws(
    () => loadConfig({ CALLBACK_IP_ALLOWLIST: '203.0.113.0/24,10.0.0.300' }),
    /CALLBACK_IP_ALLOWLIST: .*"10\.0\.0\.300"/,
  );
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8 , ::1' }).TRUST_PROXY, ['10.0.0.0/8', '::1']);
});

test('a short, plain x-request-id is kept and echoed; anything else is replaced by a generated one', async () => {
  const { app, lines } = await server({});
  try {
    const ask = async (id: string) => {
      const res = await app.inject({ method: 'GET', url: '/v1/messages/x', headers: { 'x-request-id': id } });
      const echoed = res.headers['x-request-id'];
      assert.ok(typeof echoed === 'string');
      // The error body names the same id as the header.
      assert.equal(res.json<{ requestId: string }>().requestId, echoed);
      return echoed;
    };
    assert.equal(await ask('trace-01.abc:9_Z'), 'trace-01.abc:9_Z');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const bad of ['x'.repeat(65), 'forged\nlevel=error', 'a b', '<script>', 'ümlaut'])
      assert.match(await ask(bad), uuid, JSON.stringify(bad));
    // Neither the log lines nor their request ids carry a rejected value.
    const logged = JSON.stringify(lines);
    assert.ok(!logged.includes('forged') && !logged.includes('<script>'));
  } finally {
    await app.close();
  }
});
