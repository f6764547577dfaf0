// The provider list is the one place a provider is registered: everything that still lists
// providers elsewhere is checked against it here, and each descriptor is checked for consistency.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { envSchema } from '../config/schema.js';
import { SANDBOX_STARTERS } from '../sandboxes/index.js';
import { PROVIDER_CHANNELS, PROVIDERS as SCHEMA_PROVIDERS } from '../schemas/message.js';
import { PROJECT_ROOT } from '../scripts/paths.js';
import type { ProviderName as WorkflowProviderName } from '../workflows/types.js';
import {
  callbackSecrets,
  allCallbackEndpoints,
  baseUrl,
  createProviderRegistry,
  PROVIDER_NAMES,
  PROVIDERS,
  providerMode,
  type ProviderName,
} from './registry.js';

// workflows/types.ts keeps a literal union (workflow code loads no adapters): tsc fails here when it drifts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNames: Same<ProviderName, WorkflowProviderName> = true;

test('names are unique and the message schema accepts exactly these providers and channels', () => {
  assert.ok(sameNames);
  assert.equal(new Set(PROVIDER_NAMES).size, PROVIDERS.length);
  // schemas/message.ts keeps a plain copy because the SDK and workflows cannot load adapters.
  assert.deepEqual([...SCHEMA_PROVIDERS], [...PROVIDER_NAMES], 'schemas/message.ts PROVIDERS');
  assert.deepEqual(
    PROVIDER_CHANNELS,
    Object.fromEntries(PROVIDERS.map((p) => [p.name, [...p.channels]])),
    'schemas/message.ts PROVIDER_CHANNELS',
  );
});

test('every provider has a sandbox starter and file, and only they do', () => {
  assert.deepEqual(Object.keys(SANDBOX_STARTERS).sort(), [...PROVIDER_NAMES].sort());
  for (const p of PROVIDERS) assert.ok(existsSync(join(PROJECT_ROOT, p.sandbox)), `${p.name}: ${p.sandbox}`);
});

test('each descriptor names its own variables, and each callback a known secret', () => {
  const shape = Object.keys(envSchema.shape);
  for (const p of PROVIDERS) {
    const own = Object.keys(p.env);
    assert.ok(own.includes(p.baseUrlEnv), `${p.name}: ${p.baseUrlEnv}`);
    for (const key of p.credentialEnv) assert.ok(own.includes(key), `${p.name}: ${key}`);
    for (const key of own) assert.ok(shape.includes(key), `${key} is in config`);
    for (const e of p.callbacks) {
      assert.equal(e.provider, p.name);
      assert.ok(shape.includes(e.secretEnv), `${e.path}: ${e.secretEnv}`);
    }
  }
  const paths = allCallbackEndpoints().map((e) => `${e.method} ${e.path}`);
  assert.equal(new Set(paths).size, paths.length, 'callback routes are unique');
});

test('callback secrets keep their variables and development defaults', () => {
  const secrets = Object.fromEntries(
    allCallbackEndpoints().map((e) => [e.path, [e.secretEnv, e.fallbackSecretEnv].filter(Boolean).join(' or ')]),
  );
  assert.deepEqual(secrets, {
    '/callbacks/wappin': 'WAPPIN_CALLBACK_TOKEN',
    '/callbacks/itd/status': 'ITD_CALLBACK_TOKEN or CALLBACK_TOKEN',
    '/callbacks/itd/inbound': 'ITD_CALLBACK_TOKEN or CALLBACK_TOKEN',
    '/callbacks/engagelab': 'ENGAGELAB_CALLBACK_SECRET',
    '/callbacks/nusasms': 'NUSASMS_CALLBACK_TOKEN or CALLBACK_TOKEN',
    '/callbacks/sms-masking': 'SMS_MASKING_CALLBACK_TOKEN or CALLBACK_TOKEN',
  });
  const c = loadConfig({});
  assert.equal(c.WAPPIN_CALLBACK_TOKEN, 'dev-wappin-callback-token');
  assert.equal(c.ENGAGELAB_CALLBACK_SECRET, 'dev-engagelab-callback-secret');
  assert.equal(c.CALLBACK_TOKEN, 'dev-callback-token');
  const nusasms = allCallbackEndpoints().find((e) => e.provider === 'nusasms')!;
  assert.deepEqual(callbackSecrets(c, nusasms), ['dev-callback-token'], 'unset: the shared token');
  const own = loadConfig({ NUSASMS_CALLBACK_TOKEN: ' new-nusasms-token , old-nusasms-token ' });
  assert.deepEqual(
    callbackSecrets(own, nusasms),
    ['new-nusasms-token', 'old-nusasms-token'],
    'its own list, current first',
  );
});

test('mode and base URL: live with every credential, sandbox port otherwise, *_BASE_URL wins', () => {
  const bare = loadConfig({});
  assert.deepEqual(
    PROVIDER_NAMES.map((n) => baseUrl(bare, n)),
    PROVIDER_NAMES.map((_, i) => `http://127.0.0.1:${4010 + i}`),
  );
  assert.equal(providerMode(loadConfig({ WAPPIN_CLIENT_ID: 'id' }), 'wappin'), 'sandbox', 'one credential of two');
  const live = loadConfig({
    WAPPIN_CLIENT_ID: 'id',
    WAPPIN_SECRET_KEY: 'key',
    ITD_TOKEN: 't',
    NUSASMS_BASE_URL: 'http://127.0.0.1:1/n',
  });
  assert.equal(baseUrl(live, 'wappin'), 'https://api.wappin.id');
  assert.equal(baseUrl(live, 'itd'), 'https://ida.itdchile.cl/api/v2');
  assert.equal(baseUrl(live, 'nusasms'), 'http://127.0.0.1:1/n');
  const registry = createProviderRegistry(live);
  assert.deepEqual(registry.modes, {
    wappin: 'live',
    itd: 'live',
    engagelab: 'sandbox',
    nusasms: 'sandbox',
    'sms-masking': 'sandbox',
  });
  for (const p of PROVIDERS) {
    const client = registry.get(p.name);
    assert.equal(client.name, p.name);
    assert.deepEqual([...client.channels], [...p.channels]);
  }
});
