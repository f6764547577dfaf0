import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './index.js';

test('defaults need no variable at all', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.TEMPORAL_ADDRESS, undefined);
  assert.deepEqual(c.KURIR_API_KEYS, [{ name: 'key-1', key: 'dev-key' }]);
});

test('every bad variable is listed with the reason, secrets are not echoed', () => {
  try {
    loadConfig({ PORT: 'abc', DATABASE_URL: 'nonsense', TEMPORAL_ADDRESS: 'nohost', OTP_HMAC_KEY: 'short' });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4);
    assert.match(err.message, /PORT: must be a port number/);
    assert.match(err.message, /DATABASE_URL: must be a postgres/);
    assert.match(err.message, /TEMPORAL_ADDRESS: must be host:port/);
    assert.match(err.message, /OTP_HMAC_KEY/);
    assert.doesNotMatch(err.message, /"short"/);
  }
});

test('entry points exit 2 with one message naming the bad variable', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { ...process.env, PORT: 'abc', DATABASE_URL: 'nonsense' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /PORT: must be a port number/);
  assert.match(run.stderr, /DATABASE_URL/);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
