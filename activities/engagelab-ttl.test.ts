import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequestError } from '../providers/errors.js';
import { engagelabTtlMinutes } from './otp-activities.js';

const min = (m: number) => m * 60_000;

test('EngageLab code TTL rounds up, so EngageLab never expires a code before kurir does', () => {
  assert.equal(engagelabTtlMinutes(['whatsapp', 'sms'], min(2)), 5);
  assert.equal(engagelabTtlMinutes(['whatsapp', 'sms'], min(5)), 5);
  assert.equal(engagelabTtlMinutes(['whatsapp'], 30_000), 1);
  assert.equal(engagelabTtlMinutes(['whatsapp'], min(6)), 10);
  assert.equal(engagelabTtlMinutes(['sms'], min(2) + 1), 3, 'without WhatsApp any whole minute up to 10');
});

test('an OTP longer than EngageLab can keep a code is refused, naming code.ttl', () => {
  for (const strategy of [['whatsapp'], ['sms']] as const)
    assert.throws(
      () => engagelabTtlMinutes(strategy, min(11)),
      (e: unknown) => e instanceof BadRequestError && e.field === 'code.ttl',
    );
});
