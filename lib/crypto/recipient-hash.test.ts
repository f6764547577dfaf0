import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { recipientHash } from './recipient-hash.js';

test('the recipient hash is keyed: stable for one key, different for another, not the plain hash', () => {
  const to = '+6281234567890';
  assert.equal(recipientHash('key-a', to), recipientHash('key-a', to));
  assert.match(recipientHash('key-a', to), /^[0-9a-f]{32}$/);
  assert.notEqual(recipientHash('key-a', to), recipientHash('key-b', to));
  assert.notEqual(recipientHash('key-a', to), recipientHash('key-a', '+6281234567891'));
  const unkeyed = createHash('sha256').update(`kurir:${to}`).digest('hex').slice(0, 32);
  assert.notEqual(recipientHash('key-a', to), unkeyed, 'no one without the key can enumerate numbers');
});
