// The dashboard's server side without a browser: the static route (types, caching, no path
// escape), the CSV dry run, and the /v1/ui endpoints' validation and answers.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureUiBuilt } from '../scripts/build-ui.js';
import { UI_DIST } from '../api/routes/ui.js';
import { campaignNumber } from './helpers/campaign.js';
import { startStack, type Stack } from './helpers/stack.js';
import { PROVIDER_NAMES } from '../providers/registry.js';

const auth = { authorization: 'Bearer dev-key' };
let stack: Stack;
before(async () => {
  await ensureUiBuilt();
  // With a worker: a stack that never creates a native connection leaves the Temporal runtime
  // installed and the test process alive after its tests.
  stack = await startStack({ logLevel: 'warn' });
});
after(async () => {
  await stack?.stop();
});

describe('dashboard static files', () => {
  test('/ui serves the page (revalidated) and hashed assets (immutable) with their content types', async () => {
    const redirect = await stack.api.inject({ method: 'GET', url: '/ui' });
    assert.equal(redirect.statusCode, 301);
    assert.equal(redirect.headers.location, '/ui/');
    const page = await stack.api.inject({ method: 'GET', url: '/ui/' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(page.body, /<title>kurir dashboard<\/title>/);
    const js = readdirSync(join(UI_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const asset = await stack.api.inject({ method: 'GET', url: `/ui/assets/${js}` });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await stack.api.inject({ method: 'GET', url: '/ui/assets/missing.js' })).statusCode, 404);
    // A deep link gets the page; nothing outside ui/dist is reachable.
    assert.match((await stack.api.inject({ method: 'GET', url: '/ui/campaigns/x' })).body, /kurir dashboard/);
    for (const url of [
      '/ui/../package.json',
      '/ui/%2e%2e/%2e%2e/package.json',
      '/ui/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const res = await stack.api.inject({ method: 'GET', url });
      assert.ok(!res.body.includes('"name": "kurir"'), `${url} must not leak package.json (status ${res.statusCode})`);
    }
  });
});

describe('dashboard endpoints', () => {
  test('a CSV dry run reports bad rows by line and stores nothing', async () => {
    const csv = [
      'phone,param1',
      `${campaignNumber('861', 1)},A`,
      'nope,B',
      `${campaignNumber('861', 1)},C`,
      `${campaignNumber('861', 2)},D`,
    ].join('\n');
    const q = new URLSearchParams({
      name: 'dry run',
      steps: JSON.stringify([{ channel: 'sms', provider: 'sms-masking', text: 'Hi {{1}}' }]),
      dryRun: 'true',
    });
    const res = await stack.api.inject({
      method: 'POST',
      url: `/v1/campaigns?${q.toString()}`,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      dryRun: true,
      imported: 2,
      rejectedCount: 2,
      rejected: [
        { line: 3, reason: 'phone: "nope" is not a valid phone number' },
        { line: 4, reason: `phone: ${campaignNumber('861', 1)} repeats line 2` },
      ],
    });
    assert.equal(
      (await stack.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM campaigns WHERE name = 'dry run'"))
        .rows[0]!.n,
      0,
    );
    // Bad settings are still named in a dry run.
    const bad = await stack.api.inject({
      method: 'POST',
      url: '/v1/campaigns?name=x&steps=%5B%5D&dryRun=true',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /querystring\.steps/);
  });

  test('the /v1/ui endpoints need the key and validate their input', async () => {
    assert.equal((await stack.api.inject({ method: 'GET', url: '/v1/ui/campaigns' })).statusCode, 401);
    const quote = await stack.api.inject({
      method: 'GET',
      url: `/v1/ui/messages?q=${encodeURIComponent("x' OR '1'='1")}`,
      headers: auth,
    });
    assert.equal(quote.statusCode, 400);
    assert.match(quote.json<{ message: string }>().message, /q/);
    const none = await stack.api.inject({ method: 'GET', url: '/v1/ui/messages?q=%2B6281200000000', headers: auth });
    assert.deepEqual(none.json(), { results: [] });
    const providers = (await stack.api.inject({ method: 'GET', url: '/v1/ui/providers', headers: auth })).json<{
      providers: Array<{ name: string; mode: string }>;
    }>();
    assert.deepEqual(
      providers.providers.map((p) => `${p.name}:${p.mode}`),
      PROVIDER_NAMES.map((n) => `${n}:sandbox`),
    );
    const config = (await stack.api.inject({ method: 'GET', url: '/v1/ui/config', headers: auth })).json<{
      namespace: string;
    }>();
    assert.equal(config.namespace, 'default');
    assert.equal(
      (await stack.api.inject({ method: 'GET', url: '/v1/ui/campaigns/cmp_nope/summary', headers: auth })).statusCode,
      404,
    );
  });
});
