// The REST API and callback ingestion through Fastify's inject, on a real stack.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const auth = { authorization: 'Bearer dev-key' };
const body = (to = scriptedNumber()) => ({
  to,
  steps: [{ channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] }],
});
const inboxCount = async () =>
  Number((await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM callback_inbox')).rows[0]!.n);

describe('API', () => {
  test('GET /healthz reports Temporal and the database', async () => {
    const res = await stack.api.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', temporal: { status: 'ok' }, database: { status: 'ok' } });
    assert.ok(res.headers['x-request-id']);
  });

  test('the OpenAPI reference is served and lists the routes', async () => {
    const res = await stack.api.inject({ method: 'GET', url: '/docs/json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ paths: Record<string, unknown> }>();
    for (const p of ['/v1/messages', '/v1/messages/{id}', '/healthz', '/callbacks/wappin']) assert.ok(doc.paths[p], p);
    assert.equal((await stack.api.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true);
  });

  test('/v1 needs an API key', async () => {
    const none = await stack.api.inject({ method: 'POST', url: '/v1/messages', payload: body() });
    assert.equal(none.statusCode, 401);
    const wrong = await stack.api.inject({
      method: 'POST',
      url: '/v1/messages',
      payload: body(),
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.json<{ message: string }>().message, /API key/);
  });

  test('validation errors are 400 and name the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...body(), to: '0812' }, /^to: /],
      [{ ...body(), steps: [] }, /^steps/],
      [
        { ...body(), steps: [{ channel: 'sms', provider: 'itd', text: 'x' }] },
        /steps\.0\.provider: provider itd does not carry sms/,
      ],
      [{ ...body(), fallback: { notReadWithin: 'two days' } }, /fallback\.notReadWithin: must be a duration/],
    ];
    for (const [payload, message] of cases) {
      const res = await stack.api.inject({
        method: 'POST',
        url: '/v1/messages',
        payload: payload as object,
        headers: auth,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json<{ message: string }>().message, message);
    }
    const bad = await stack.api.inject({
      method: 'POST',
      url: '/v1/messages',
      body: '{"to":',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    assert.equal(bad.statusCode, 400);
  });

  test('the same Idempotency-Key returns the same message and never sends twice', async () => {
    const payload = body(scriptedNumber('604'));
    const headers = { ...auth, 'idempotency-key': `key-${Date.now()}` };
    const first = await stack.api.inject({ method: 'POST', url: '/v1/messages', payload, headers });
    const second = await stack.api.inject({ method: 'POST', url: '/v1/messages', payload, headers });
    assert.equal(first.statusCode, 202);
    assert.equal(second.statusCode, 202);
    assert.equal(first.json<{ id: string }>().id, second.json<{ id: string }>().id);
    assert.equal(second.json<{ idempotent: boolean }>().idempotent, true);
    const other = await stack.api.inject({ method: 'POST', url: '/v1/messages', payload: body(), headers });
    assert.equal(other.statusCode, 422);
    const id = first.json<{ id: string }>().id;
    const status = await eventually(
      async () => {
        const res = await stack.api.inject({ method: 'GET', url: `/v1/messages/${id}`, headers: auth });
        const s = res.json<{ attempts: Array<{ status?: string }> }>();
        return s.attempts[0]?.status === 'delivered' ? s : undefined;
      },
      20_000,
      'delivered',
    );
    assert.equal(status.attempts.length, 1);
  });

  test('an unknown message id is 404', async () => {
    const res = await stack.api.inject({ method: 'GET', url: '/v1/messages/msg_does_not_exist', headers: auth });
    assert.equal(res.statusCode, 404);
  });

  test('a callback with a wrong or missing credential is 401 and nothing is stored', async () => {
    const before = await inboxCount();
    const wappin = {
      message_id: 'x1',
      client_id: '1',
      client_name: 'c',
      status_messages: 'read',
      timestamp: '1700000000',
      callback_type: 'status',
    };
    const r1 = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/wappin',
      payload: wappin,
      headers: { authorization: 'Bearer wrong-token' },
    });
    const r2 = await stack.api.inject({ method: 'POST', url: '/callbacks/wappin', payload: wappin });
    const r3 = await stack.api.inject({ method: 'GET', url: '/callbacks/nusasms?token=wrong&ref_no=1&status=2' });
    const r4 = await stack.api.inject({ method: 'GET', url: '/callbacks/sms-masking?session_id=1&error_code=22' });
    const r5 = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/engagelab',
      payload: { message_id: '1' },
      headers: { 'x-callback-id': 'timestamp=1;nonce=2;username=u;signature=00' },
    });
    assert.deepEqual(
      [r1, r2, r3, r4, r5].map((r) => r.statusCode),
      [401, 401, 401, 401, 401],
    );
    assert.equal(await inboxCount(), before);
  });

  test('a valid callback is stored once and acked in the provider format, duplicates included', async () => {
    const before = await inboxCount();
    const wappin = {
      message_id: `dup-${Date.now()}`,
      client_id: '1',
      client_name: 'c',
      status_messages: 'read',
      timestamp: '1700000000',
      callback_type: 'status',
    };
    const headers = { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` };
    const a = await stack.api.inject({ method: 'POST', url: '/callbacks/wappin', payload: wappin, headers });
    const b = await stack.api.inject({ method: 'POST', url: '/callbacks/wappin', payload: wappin, headers });
    assert.equal(a.statusCode, 200);
    assert.equal(a.json<{ status: string }>().status, '000');
    assert.equal(b.statusCode, 200);
    assert.equal(await inboxCount(), before + 1);
  });

  test('a callback without a message id is 400 naming the field, nothing stored', async () => {
    const before = await inboxCount();
    const res = await stack.api.inject({
      method: 'POST',
      url: '/callbacks/wappin',
      payload: { callback_type: 'status', status_messages: 'read' },
      headers: { authorization: `Bearer ${stack.config.WAPPIN_CALLBACK_TOKEN}` },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json<{ message: string }>().message, /message_id/);
    assert.equal(await inboxCount(), before);
  });
});
