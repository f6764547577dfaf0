import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/index.js';
import { OTP_DEFAULTS } from './defaults.js';
import { otpPolicyViolation } from './otp-policy.js';
import { otpPolicyOf } from '../config/otp-policy.js';

const defaults = {
  resendCooldown: OTP_DEFAULTS.resendCooldown,
  maxAttempts: OTP_DEFAULTS.maxAttempts,
  code: { length: OTP_DEFAULTS.codeLength, type: OTP_DEFAULTS.codeType, ttl: OTP_DEFAULTS.ttl },
};
const policy = otpPolicyOf(loadConfig({}));

test('the engine defaults are within the default policy', () => {
  assert.equal(otpPolicyViolation(defaults, policy), undefined);
});

test('outside the default bounds: each field named with its bound and variable', () => {
  const cases: Array<[object, string, RegExp]> = [
    [{ resendCooldown: '1 ms' }, 'resendCooldown', /at least 15 seconds \(OTP_MIN_RESEND_COOLDOWN\)/],
    [{ code: { ...defaults.code, ttl: '1 day' } }, 'code.ttl', /at most 15 minutes \(OTP_MAX_TTL\)/],
    [{ code: { ...defaults.code, length: 4 } }, 'code.length', /at least 6 for a code of digits/],
    [{ maxAttempts: 20 }, 'maxAttempts', /at most 10 \(OTP_MAX_ATTEMPTS\)/],
  ];
  for (const [change, field, message] of cases) {
    const v = otpPolicyViolation({ ...defaults, ...change }, policy);
    assert.equal(v?.field, field);
    assert.match(v.message, message);
  }
  assert.equal(
    otpPolicyViolation({ ...defaults, code: { length: 4, type: 7, ttl: '5 minutes' } }, policy),
    undefined,
    'letters: 4 is enough',
  );
});

test('the bounds are configuration', () => {
  const lax = otpPolicyOf(loadConfig({ OTP_MIN_RESEND_COOLDOWN: '1 second', OTP_MAX_ATTEMPTS: '20' }));
  assert.equal(otpPolicyViolation({ ...defaults, resendCooldown: '2 seconds', maxAttempts: 20 }, lax), undefined);
});
