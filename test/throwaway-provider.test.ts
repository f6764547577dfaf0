// Adding a provider is one descriptor and one line in a list (issue #22): a throwaway sixth
// provider, defined only here, is picked up by the registry, the configuration (its variables are
// read and validated), the callback routes (its endpoint authenticates with its own secret and
// stores into callback_inbox) and the dashboard's providers listing, with no other edit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/build.js';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createPool, type Pool } from '../db/pool.js';
import type { ProviderDescriptor } from '../providers/descriptor.js';
import { baseUrlVar, callbackSecretVar, credentialVar } from '../providers/env.js';
import {
  allCallbackEndpoints,
  baseUrl,
  createProviderRegistry,
  PROVIDERS,
  providerMode,
  sandboxPort,
  setting,
  type ProviderName,
} from '../providers/registry.js';
import type { ChannelProvider } from '../providers/types.js';
import { requireHarness } from './helpers/stack.js';

// Outside the ProviderName union on purpose: nothing typed knows this provider.
const NAME = 'throwaway' as ProviderName;

const env = {
  THROWAWAY_BASE_URL: baseUrlVar,
  THROWAWAY_API_KEY: credentialVar,
  THROWAWAY_CALLBACK_TOKEN: callbackSecretVar('dev-throwaway-callback-token'),
};

const built: string[] = [];
const throwaway: ProviderDescriptor<string, typeof env> = {
  name: NAME,
  channels: ['sms'],
  env,
  baseUrlEnv: 'THROWAWAY_BASE_URL',
  credentialEnv: ['THROWAWAY_API_KEY'],
  liveBaseUrl: 'https://api.throwaway.invalid',
  createClient: ({ baseUrl: url, setting: read }): ChannelProvider => {
    built.push(`${url} key=${read('THROWAWAY_API_KEY') ?? '-'}`);
    return {
      name: NAME,
      channels: ['sms'],
      send: async () => ({ providerMessageId: 'tw-1', acceptedAt: new Date(), status: 'accepted' }),
      getBalance: async () => ({ amount: 7, unit: 'credits', raw: {} }),
    };
  },
  callbacks: [
    {
      provider: NAME,
      method: 'POST',
      path: '/callbacks/throwaway',
      auth: 'bearer',
      secretEnv: 'THROWAWAY_CALLBACK_TOKEN',
      parse: (req) => {
        const body = req.body as { id?: string; state?: string };
        return {
          kind: 'status',
          events: [
            {
              provider: NAME,
              providerMessageId: body.id ?? '',
              status: body.state === 'DELIVRD' ? 'delivered' : 'failed',
              occurredAt: new Date(),
              raw: body,
            },
          ],
        };
      },
      ack: { status: 200, body: { ok: true } },
    },
  ],
  statusMap: { DELIVRD: 'delivered', UNDELIV: 'failed' },
  sendQueue: { defaultRatePerSecond: 5 },
  sandbox: 'test/throwaway-provider.test.ts',
};

/** The one line a real provider adds to providers/registry.ts. */
const LIST = [...PROVIDERS, throwaway];

const ENV = {
  THROWAWAY_API_KEY: 'tw-key',
  THROWAWAY_BASE_URL: 'http://127.0.0.1:9/tw',
  THROWAWAY_CALLBACK_TOKEN: 'tw-callback-secret',
};

describe('a throwaway sixth provider', () => {
  test('config reads and validates its variables, and its rate limit', () => {
    const config = loadConfig({ ...ENV, PROVIDER_RATE_LIMITS: 'throwaway=3' }, LIST);
    assert.equal(setting(config, 'THROWAWAY_API_KEY'), 'tw-key');
    assert.equal(setting(config, 'THROWAWAY_CALLBACK_TOKEN'), 'tw-callback-secret');
    assert.equal(
      setting(loadConfig({}, LIST), 'THROWAWAY_CALLBACK_TOKEN'),
      'dev-throwaway-callback-token',
      'its default',
    );
    assert.equal((config.PROVIDER_RATE_LIMITS as Record<string, number>).throwaway, 3);
    assert.equal(
      (loadConfig({}, LIST).PROVIDER_RATE_LIMITS as Record<string, number>).throwaway,
      5,
      'the descriptor default',
    );
    assert.throws(
      () => loadConfig({ THROWAWAY_BASE_URL: 'not a url' }, LIST),
      (e: unknown) => e instanceof ConfigError && /THROWAWAY_BASE_URL/.test(e.message),
    );
    // The registered list knows nothing of it.
    assert.equal(setting(loadConfig(ENV), 'THROWAWAY_API_KEY'), undefined);
    assert.throws(() => loadConfig({ PROVIDER_RATE_LIMITS: 'throwaway=3' }), /unknown provider "throwaway"/);
  });

  test('the registry builds its client from its descriptor', () => {
    const live = loadConfig(ENV, LIST);
    const registry = createProviderRegistry(live, LIST);
    assert.deepEqual(
      registry.names,
      LIST.map((p) => p.name),
    );
    assert.equal(registry.modes[NAME], 'live');
    assert.equal(baseUrl(live, NAME, LIST), 'http://127.0.0.1:9/tw');
    assert.deepEqual([...registry.get(NAME).channels], ['sms']);
    assert.deepEqual(built.splice(0), ['http://127.0.0.1:9/tw key=tw-key']);
    const bare = loadConfig({ SANDBOX_BASE_PORT: '5000' }, LIST);
    assert.equal(providerMode(bare, NAME, LIST), 'sandbox');
    assert.equal(sandboxPort(bare, NAME, LIST), 5000 + PROVIDERS.length, 'the next sandbox port');
    assert.equal(baseUrl(bare, NAME, LIST), `http://127.0.0.1:${5000 + PROVIDERS.length}`);
  });

  describe('through the API', () => {
    let config: Config;
    let pool: Pool;
    let api: FastifyInstance;
    before(async () => {
      requireHarness();
      config = loadConfig({ ...process.env, ...ENV }, LIST);
      pool = createPool(config.DATABASE_URL!);
      // Lazy: these routes never reach Temporal.
      const temporal = new Client({
        connection: Connection.lazy({ address: config.TEMPORAL_ADDRESS! }),
        namespace: config.TEMPORAL_NAMESPACE,
      });
      api = await buildServer({
        config,
        pool,
        temporal,
        callbackEndpoints: allCallbackEndpoints(LIST),
        providers: createProviderRegistry(config, LIST),
      });
    });
    after(async () => {
      await api?.close();
      await pool?.end();
    });

    test('its callback route checks its secret and stores into callback_inbox', async () => {
      const id = `tw-${Date.now()}`;
      const payload = { id, state: 'DELIVRD' };
      const wrong = await api.inject({
        method: 'POST',
        url: '/callbacks/throwaway',
        headers: { authorization: 'Bearer dev-wappin-callback-token' },
        payload,
      });
      assert.equal(wrong.statusCode, 401);
      const ok = await api.inject({
        method: 'POST',
        url: '/callbacks/throwaway',
        headers: { authorization: 'Bearer tw-callback-secret' },
        payload,
      });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { ok: true });
      const rows = await pool.query<{ provider: string; route: string; body: string }>(
        'SELECT provider, route, body FROM callback_inbox WHERE provider = $1 AND body LIKE $2',
        [NAME, `%${id}%`],
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.provider, r.route, JSON.parse(r.body) as unknown]),
        [[NAME, '/callbacks/throwaway', payload]],
      );
    });

    test('the dashboard lists it with its mode, channels, cap and balance', async () => {
      const res = await api.inject({
        method: 'GET',
        url: '/v1/ui/providers',
        headers: { authorization: 'Bearer dev-key' },
      });
      assert.equal(res.statusCode, 200);
      type Row = {
        name: string;
        mode: string;
        channels: string[];
        capPerSecond: number | null;
        balance: { amount: number } | null;
      };
      const rows = res.json<{ providers: Row[] }>().providers;
      assert.deepEqual(
        rows.map((p) => p.name),
        LIST.map((p) => p.name),
      );
      const row = rows.find((p) => p.name === NAME)!;
      assert.deepEqual(
        { mode: row.mode, channels: row.channels, cap: row.capPerSecond, balance: row.balance?.amount },
        { mode: 'live', channels: ['sms'], cap: 5, balance: 7 },
      );
    });
  });
});
