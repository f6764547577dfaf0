// What the unauthenticated routes give away in production (security review L1): /metrics only with
// METRICS_TOKEN when set, no /docs unless API_DOCS_PUBLIC, and /healthz says `unavailable` without
// the error text (which names hosts and ports), logging the detail instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/index.js';
import { exposureWarnings } from '../config/production-providers.js';
import { createApiRuntime, type ApiRuntime } from '../runtime/api-runtime.js';
import { startStack, type Stack } from './helpers/stack.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const logged: string[] = [];
let stack: Stack;
let down: ApiRuntime;

before(async () => {
  stack = await startStack({ worker: false, env: { NODE_ENV: 'production', METRICS_TOKEN } });
  // Temporal at a port nothing listens on: this API starts (Temporal is connected on first use).
  const config = loadConfig({ ...process.env, NODE_ENV: 'production', TEMPORAL_ADDRESS: '127.0.0.1:1' });
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
  down = await createApiRuntime(config, { logger, webhooks: false });
});
after(async () => {
  await down?.stop();
  await stack?.stop();
});

const get = (url: string, headers: Record<string, string> = {}) => stack.api.inject({ method: 'GET', url, headers });

describe('exposure in production', () => {
  test('/metrics needs METRICS_TOKEN when it is set', async () => {
    assert.equal((await get('/metrics')).statusCode, 401);
    assert.equal((await get('/metrics', { authorization: 'Bearer wrong-token-0123456789' })).statusCode, 401);
    const ok = await get('/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /kurir_/);
  });

  test('/docs is not served in production unless API_DOCS_PUBLIC', async () => {
    assert.equal((await get('/docs')).statusCode, 404);
    assert.equal((await get('/docs/json')).statusCode, 404);
  });

  test('/healthz says unavailable without the error; the log has it', async () => {
    const res = await down.server.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), {
      status: 'degraded',
      temporal: { status: 'unavailable' },
      database: { status: 'ok' },
    });
    assert.doesNotMatch(res.body, /127\.0\.0\.1|ECONNREFUSED|connect/i);
    assert.ok(logged.some((l) => l.includes('health check: Temporal unreachable')));
  });

  test('an open /metrics and OTPs to every country are start warnings in production', () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    assert.deepEqual(
      exposureWarnings(production).map((w) => w.split(' ')[0]),
      ['GET', 'OTPs'],
      'an open /metrics and OTPs to every country',
    );
    assert.deepEqual(
      exposureWarnings(loadConfig({ NODE_ENV: 'production', METRICS_TOKEN, OTP_ALLOWED_COUNTRIES: 'ID' })),
      [],
    );
    assert.deepEqual(exposureWarnings(loadConfig({})), [], 'a laptop');
  });
});
