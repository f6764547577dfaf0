import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, loadServerConfig } from './index.js';
import { PROVIDER_NAMES } from '../providers/registry.js';
import { DEV_SECRETS, isProduction } from './production-secrets.js';

const strong = (c: string) => c.repeat(40);
const ownSecrets = {
  KURIR_API_KEYS: `${strong('a')},${strong('b')}`,
  CALLBACK_TOKEN: strong('c'),
  WAPPIN_CALLBACK_TOKEN: strong('d'),
  ENGAGELAB_CALLBACK_SECRET: strong('e'),
  OTP_HMAC_KEY: strong('f'),
  WEBHOOK_SECRET_KEY: strong('g'),
  RECIPIENT_HASH_KEY: strong('k'),
  KURIR_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};

/** Secrets only: providers in sandbox mode are allowed here (production-providers.test.ts checks them). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadServerConfig({ PROVIDER_SANDBOX_ALLOWED: PROVIDER_NAMES.join(','), ...env });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

test('a laptop (loopback HOST, no NODE_ENV) starts on the development secrets', () => {
  assert.deepEqual(problemsOf({}), []);
  assert.equal(isProduction({ NODE_ENV: 'development', HOST: '::1' }), false);
  assert.equal(isProduction({ NODE_ENV: 'development', HOST: 'localhost' }), false);
});

test('production with the defaults names every development secret, and no value', () => {
  const problems = problemsOf({ NODE_ENV: 'production' });
  assert.deepEqual(
    problems.map((p) => p.split(':')[0]).sort(),
    [...Object.keys(DEV_SECRETS), 'KURIR_ENCRYPTION_KEY'].sort(),
  );
  for (const value of Object.values(DEV_SECRETS).filter((v) => v !== 'dev-key'))
    assert.ok(!problems.join('\n').includes(value));
});

test('a non-loopback HOST counts as production, and empty values fall back to the refused defaults', () => {
  assert.equal(isProduction({ NODE_ENV: 'development', HOST: '0.0.0.0' }), true);
  assert.deepEqual(
    problemsOf({ ...ownSecrets, HOST: '0.0.0.0', OTP_HMAC_KEY: '' }).map((p) => p.split(':')[0]),
    ['OTP_HMAC_KEY'],
  );
});

test('production without an encryption key is refused', () => {
  const { KURIR_ENCRYPTION_KEY: _key, ...unencrypted } = ownSecrets;
  assert.deepEqual(
    problemsOf({ ...unencrypted, NODE_ENV: 'production' }).map((p) => p.split(':')[0]),
    ['KURIR_ENCRYPTION_KEY'],
  );
});

test('short API keys and short secrets are refused; own long ones pass', () => {
  assert.deepEqual(problemsOf({ ...ownSecrets, NODE_ENV: 'production' }), []);
  const problems = problemsOf({
    ...ownSecrets,
    NODE_ENV: 'production',
    KURIR_API_KEYS: `${strong('a')},short-key`,
    WEBHOOK_SECRET_KEY: 'x'.repeat(31),
  });
  assert.deepEqual(
    problems.map((p) => p.split(':')[0]),
    ['KURIR_API_KEYS', 'WEBHOOK_SECRET_KEY'],
  );
});

test("callback secrets are rotation lists: every secret in them is checked, a provider's own token too", () => {
  const rotating = { ...ownSecrets, NODE_ENV: 'production', CALLBACK_TOKEN: `${strong('c')},${strong('h')}` };
  assert.deepEqual(problemsOf({ ...rotating, NUSASMS_CALLBACK_TOKEN: `${strong('i')},${strong('j')}` }), []);
  const problems = problemsOf({
    ...rotating,
    WAPPIN_CALLBACK_TOKEN: `${strong('d')},old-short`,
    ITD_CALLBACK_TOKEN: DEV_SECRETS.CALLBACK_TOKEN,
  });
  assert.deepEqual(
    problems.map((p) => p.split(':')[0]),
    ['WAPPIN_CALLBACK_TOKEN', 'ITD_CALLBACK_TOKEN'],
  );
  assert.match(problems[1]!, /development default/);
});

test('the API and the worker refuse to start in production on a default secret: exit 2, each named', async () => {
  for (const entry of ['api/server.ts', 'workers/main.ts']) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', ...ownSecrets, OTP_HMAC_KEY: DEV_SECRETS.OTP_HMAC_KEY },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 2, `${entry}: ${run.stderr}`);
    assert.match(run.stderr, /OTP_HMAC_KEY: set your own secret/);
    assert.doesNotMatch(run.stderr, /KURIR_API_KEYS|WEBHOOK_SECRET_KEY/);
    assert.ok(!run.stderr.includes(DEV_SECRETS.OTP_HMAC_KEY), 'the value is never printed');
  }
});
