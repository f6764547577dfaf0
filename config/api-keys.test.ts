import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './index.js';
import { parseApiKeys } from './api-keys.js';

test('KURIR_API_KEYS entries are name:key or a bare key named by its position', () => {
  assert.deepEqual(parseApiKeys(' ops:k-ops , shop-app:k:with:colons,bare-key ,'), [
    { name: 'ops', key: 'k-ops' },
    { name: 'shop-app', key: 'k:with:colons' },
    { name: 'key-3', key: 'bare-key' },
  ]);
});

test('a prefix that is no name (too long, other characters) keeps the whole entry as the key', () => {
  const long = `${'n'.repeat(65)}:k`;
  assert.deepEqual(parseApiKeys(long), [{ name: 'key-1', key: long }]);
  assert.deepEqual(parseApiKeys('a b:k'), [{ name: 'key-1', key: 'a b:k' }]);
});

test('scopes: name[scope+scope]:key; an unknown scope fails the configuration naming the variable', () => {
  const [crm, all] = parseApiKeys('crm[messages+otp]:k-crm,ops:k-ops');
  assert.deepEqual([crm!.name, crm!.key, [...crm!.scopes!]], ['crm', 'k-crm', ['messages', 'otp']]);
  assert.equal(all!.scopes, undefined, 'no scopes: every route');
  assert.throws(
    () => loadConfig({ KURIR_API_KEYS: 'crm[messages+sms]:k-crm' }),
    /KURIR_API_KEYS: key "crm": scopes must be one or more of messages, otp, .* \(got "messages\+sms"\)/,
  );
});
