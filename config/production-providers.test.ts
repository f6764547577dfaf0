// Providers in production (security review H4, L10): plain http and sandbox mode are refused unless
// allowed by name, allowed ones are logged at start, and the gateways that offer POST get their
// credentials in a POST body, never a URL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PROVIDER_NAMES, createProviderRegistry } from '../providers/registry.js';
import { startNusaSmsSandbox } from '../sandboxes/nusasms.js';
import { startSmsMaskingSandbox } from '../sandboxes/sms-masking.js';
import { ConfigError, loadConfig, loadServerConfig } from './index.js';
import { providerWarnings } from './production-providers.js';
import { DEV_SECRETS } from './production-secrets.js';

const ownSecrets = {
  ...Object.fromEntries(Object.keys(DEV_SECRETS).map((k, i) => [k, String.fromCharCode(97 + i).repeat(40)])),
  KURIR_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
};
/** Every provider live: credentials set, default base URLs. */
const live = {
  WAPPIN_CLIENT_ID: 'id',
  WAPPIN_SECRET_KEY: 'secret',
  WAPPIN_PROJECT_ID: 'project',
  ITD_TOKEN: 'token',
  ENGAGELAB_DEV_KEY: 'key',
  ENGAGELAB_DEV_SECRET: 'secret',
  NUSASMS_USERNAME: 'user',
  NUSASMS_PASSWORD: 'nusasms-password',
  SMS_MASKING_USERNAME: 'user',
  SMS_MASKING_PASSWORD: 'masking-password',
};
const production = { NODE_ENV: 'production', ...ownSecrets };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadServerConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}
const names = (problems: string[]) => problems.map((p) => p.slice(0, p.indexOf(': ')));

test('a laptop runs every provider in sandbox mode and the plain-http gateways live, as before', () => {
  assert.deepEqual(problemsOf({}), []);
  assert.deepEqual(problemsOf({ NUSASMS_USERNAME: 'u', NUSASMS_PASSWORD: 'p' }), []);
  assert.deepEqual(providerWarnings(loadConfig({ NUSASMS_USERNAME: 'u', NUSASMS_PASSWORD: 'p' })), []);
});

test('production refuses the documented plain-http gateways, naming their base URL variables', () => {
  const problems = problemsOf({ ...production, ...live });
  assert.deepEqual(names(problems), ['NUSASMS_BASE_URL', 'SMS_MASKING_BASE_URL']);
  assert.match(problems[0]!, /api\.nusasms\.com, its default.*PROVIDER_HTTP_ALLOWED=nusasms/);
  // The same on a non-loopback HOST, and for an http:// override of an https provider.
  assert.deepEqual(
    names(
      problemsOf({
        ...ownSecrets,
        ...live,
        HOST: '0.0.0.0',
        WAPPIN_BASE_URL: 'http://wappin.example',
        PROVIDER_HTTP_ALLOWED: 'nusasms,sms-masking',
      }),
    ),
    ['WAPPIN_BASE_URL'],
  );
});

test('allowed by name, plain http starts with a warning; https and loopback (a TLS sidecar) need nothing', () => {
  const env = { ...production, ...live, PROVIDER_HTTP_ALLOWED: 'nusasms, sms-masking' };
  assert.deepEqual(problemsOf(env), []);
  const warnings = providerWarnings(loadServerConfig(env));
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /^nusasms is called over plain http \(api\.nusasms\.com, its default\)/);
  assert.match(warnings[1]!, /^sms-masking is called over plain http/);
  assert.ok(!warnings.join('\n').includes(live.NUSASMS_PASSWORD), 'no credential value');
  const tls = {
    ...production,
    ...live,
    NUSASMS_BASE_URL: 'https://api.nusasms.com',
    SMS_MASKING_BASE_URL: 'http://127.0.0.1:8443/masking',
  };
  assert.deepEqual(problemsOf(tls), []);
  assert.deepEqual(providerWarnings(loadServerConfig(tls)), []);
});

test('production refuses sandbox mode: every provider without credentials is named by its variables', () => {
  const problems = problemsOf({ ...production, ITD_TOKEN: 'token', PROVIDER_HTTP_ALLOWED: 'nusasms' });
  assert.deepEqual(names(problems), [
    'WAPPIN_CLIENT_ID, WAPPIN_SECRET_KEY',
    'ENGAGELAB_DEV_KEY, ENGAGELAB_DEV_SECRET',
    'NUSASMS_USERNAME, NUSASMS_PASSWORD',
    'SMS_MASKING_USERNAME, SMS_MASKING_PASSWORD',
  ]);
  assert.match(problems[0]!, /wappin has no credentials, so it would run in sandbox mode.*PROVIDER_SANDBOX_ALLOWED/);
});

test('PROVIDER_SANDBOX_ALLOWED accepts the unused ones with a warning; partial credentials are refused anyway', () => {
  const env = { ...production, ...live, PROVIDER_HTTP_ALLOWED: 'sms-masking', PROVIDER_SANDBOX_ALLOWED: 'itd,nusasms' };
  delete (env as Record<string, string | undefined>).ITD_TOKEN;
  delete (env as Record<string, string | undefined>).NUSASMS_USERNAME;
  delete (env as Record<string, string | undefined>).NUSASMS_PASSWORD;
  assert.deepEqual(problemsOf(env), []);
  const warnings = providerWarnings(loadServerConfig(env));
  assert.deepEqual(
    warnings.map((w) => w.split(' ')[0]),
    ['itd', 'nusasms', 'sms-masking'],
  );
  assert.match(warnings[0]!, /itd has no credentials and runs in sandbox mode .*a loopback port/);
  // One credential of two is a mistake, not a choice.
  assert.deepEqual(names(problemsOf({ ...env, NUSASMS_USERNAME: 'user' })), ['NUSASMS_PASSWORD']);
});

test('an unknown name in either list fails the start, naming it', () => {
  assert.throws(
    () => loadConfig({ PROVIDER_HTTP_ALLOWED: 'nusasms,nusa-sms' }),
    /PROVIDER_HTTP_ALLOWED: unknown provider "nusa-sms"/,
  );
  assert.throws(
    () => loadConfig({ PROVIDER_SANDBOX_ALLOWED: 'twilio' }),
    /PROVIDER_SANDBOX_ALLOWED: unknown provider "twilio"/,
  );
});

test('the worker exits 2 naming every offending provider variable; the API logs the allowed ones at start', () => {
  const base = { PATH: process.env.PATH, ...production, ...live };
  delete (base as Record<string, string | undefined>).ITD_TOKEN;
  const worker = spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: base,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(worker.status, 2, worker.stderr);
  for (const name of ['ITD_TOKEN', 'NUSASMS_BASE_URL', 'SMS_MASKING_BASE_URL'])
    assert.match(worker.stderr, new RegExp(`- ${name}: `));
  assert.ok(!worker.stderr.includes(live.NUSASMS_PASSWORD), 'no credential value');
  // Allowed: the API gets past the check, warns, then stops at the missing DATABASE_URL (exit 2 too).
  const api = spawnSync(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: {
      ...base,
      PROVIDER_HTTP_ALLOWED: 'nusasms,sms-masking',
      PROVIDER_SANDBOX_ALLOWED: 'itd',
      PRETTY_LOGS: 'false',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const logged = api.stdout + api.stderr;
  assert.doesNotMatch(logged, /Invalid configuration/);
  assert.match(logged, /"level":40[^\n]*nusasms is called over plain http/);
  assert.match(logged, /"level":40[^\n]*itd has no credentials and runs in sandbox mode/);
  assert.match(logged, /DATABASE_URL is not set/);
});

test('live NusaSMS and SMS-masking sends put the credentials in a POST body, never a GET query', async () => {
  const nusa = await startNusaSmsSandbox({ username: 'ops', password: 'nusa-live-pass' });
  const masking = await startSmsMaskingSandbox({ username: 'ops', password: 'masking-live-pass' });
  try {
    const config = loadConfig({
      ...production,
      NUSASMS_USERNAME: 'ops',
      NUSASMS_PASSWORD: 'nusa-live-pass',
      NUSASMS_BASE_URL: nusa.url,
      SMS_MASKING_USERNAME: 'ops',
      SMS_MASKING_PASSWORD: 'masking-live-pass',
      SMS_MASKING_BASE_URL: masking.url,
    });
    const registry = createProviderRegistry(config);
    assert.equal(registry.modes.nusasms, 'live');
    assert.equal(registry.modes['sms-masking'], 'live');
    await registry.get('nusasms').send({ to: '+6281234567890', reference: 'r-1', text: 'hello' });
    await registry.get('sms-masking').send({ to: '+6281234567890', reference: 'r-2', text: 'hello' });
    for (const [sandbox, password] of [
      [nusa, 'nusa-live-pass'],
      [masking, 'masking-live-pass'],
    ] as const) {
      const sends = sandbox.requests.filter((r) => r.status < 400);
      assert.equal(sends.length, 1);
      assert.equal(sends[0]!.method, 'POST');
      // The sandbox logs the raw body when there is one, else the query as JSON.
      assert.match(sends[0]!.content, new RegExp(`(^|&)password=${password}(&|$)`));
    }
    assert.deepEqual(
      PROVIDER_NAMES.filter((n) => registry.modes[n] === 'sandbox'),
      ['wappin', 'itd', 'engagelab'],
    );
  } finally {
    await nusa.close();
    await masking.close();
  }
});
