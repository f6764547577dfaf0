import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateWebhookSecret, SecretBox } from './secret-box.js';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

test('a sealed secret opens for its subscription only, never in plaintext at rest', () => {
  const box = new SecretBox(OLD);
  const secret = generateWebhookSecret();
  const stored = box.seal(secret, 'wh_1');
  assert.ok(!stored.includes(secret.slice(6, 20)));
  assert.equal(box.open(stored, 'wh_1'), secret);
  assert.throws(() => box.open(stored, 'wh_2'), /authenticate/, 'moved to another row, it does not open');
});

test('key rotation: "new,old" opens both, seals with the new; without the old key its secrets name the key', () => {
  const secret = generateWebhookSecret();
  const sealedOld = new SecretBox(OLD).seal(secret, 'wh_1');
  const rotating = new SecretBox(`${NEW},${OLD}`);
  assert.equal(rotating.open(sealedOld, 'wh_1'), secret);
  assert.equal(rotating.isCurrent(sealedOld), false);
  const resealed = rotating.seal(secret, 'wh_1');
  assert.equal(rotating.isCurrent(resealed), true);
  assert.equal(new SecretBox(NEW).open(resealed, 'wh_1'), secret);
  assert.throws(() => new SecretBox(NEW).open(sealedOld, 'wh_1'), /no longer holds/);
});
