// Named API keys: a request's log lines say which key acted, by name, never the key itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { capturedLogs, startStack, type Stack } from './helpers/stack.js';

const OPS_KEY = 'ops-secret-value-0123456789abcdef0123456789';
const BARE_KEY = 'bare-secret-value-0123456789abcdef012345678';
const CRM_KEY = 'crm-secret-value-0123456789abcdef0123456789';
let stack: Stack;
before(async () => {
  stack = await startStack({
    worker: false,
    logLevel: 'info',
    env: { KURIR_API_KEYS: `ops:${OPS_KEY},${BARE_KEY},crm[messages+otp]:${CRM_KEY}` },
  });
});
after(async () => {
  await stack?.stop();
});

const get = (key: string) =>
  stack.api.inject({ method: 'GET', url: '/v1/inbound', headers: { authorization: `Bearer ${key}` } });

test('each key works by its secret; its name, not the secret, is in the request log lines', async () => {
  const from = capturedLogs.length;
  assert.equal((await get(OPS_KEY)).statusCode, 200);
  assert.equal((await get(BARE_KEY)).statusCode, 200);
  assert.equal((await get('ops')).statusCode, 401, 'a name is not a key');
  const lines = capturedLogs.slice(from).map((l) => JSON.parse(l) as { apiKeyName?: string; msg?: string });
  const names = new Set(lines.filter((l) => l.msg === 'request completed').map((l) => l.apiKeyName));
  assert.deepEqual([...names].sort(), ['key-2', 'ops', undefined].sort());
  const text = capturedLogs.slice(from).join('\n');
  assert.ok(!text.includes(OPS_KEY) && !text.includes(BARE_KEY), 'no key in the logs');
});

test('a scoped key calls the routes of its scopes; others are a 403 naming the scope', async () => {
  const call = (method: 'GET' | 'POST', url: string, key = CRM_KEY) =>
    stack.api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      payload: method === 'POST' ? { payloads: [] } : undefined,
    });
  assert.equal((await call('GET', '/v1/inbound')).statusCode, 200);
  for (const [method, url, scope] of [
    ['GET', '/v1/webhooks', 'webhooks'],
    ['GET', '/v1/ui/config', 'dashboard'],
    ['GET', '/v1/callbacks/dead', 'webhooks'],
    ['POST', '/codec/decode', 'codec'],
  ] as const) {
    const res = await call(method, url);
    assert.equal(res.statusCode, 403, `${method} ${url}`);
    assert.match(res.json<{ message: string }>().message, new RegExp(`crm.*lacks the scope "${scope}"`));
  }
  assert.equal((await call('GET', '/v1/webhooks', OPS_KEY)).statusCode, 200, 'a key without scopes calls everything');
});
