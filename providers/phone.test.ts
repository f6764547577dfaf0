// Phone parsing (security review M5): national numbers are read in the configured region, never
// guessed as another country; only valid numbers pass; errors name the field, not the number.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadRequestError } from './errors.js';
import { parsePhone, parsePhoneIn } from './phone.js';

test('a national number is read in the default region: 81234567890 with ID is +6281234567890', () => {
  for (const raw of ['81234567890', '081234567890', '6281234567890', '0812 3456 7890', '+6281234567890']) {
    assert.equal(parsePhoneIn(raw, 'ID').e164, '+6281234567890', raw);
  }
});

test('without a region only the international form is accepted; the error names the field, not the number', () => {
  assert.equal(parsePhoneIn('+6281234567890', undefined).e164, '+6281234567890');
  assert.throws(
    () => parsePhoneIn('81234567890', undefined, 'phone'),
    (err: unknown) =>
      err instanceof BadRequestError &&
      /^phone: must be in international form/.test(err.message) &&
      !err.message.includes('81234567890'),
  );
});

test('isValid, not isPossible: +8123456789 has a possible length for Japan but is no number', () => {
  assert.throws(
    () => parsePhoneIn('+8123456789', undefined),
    (err: unknown) => err instanceof BadRequestError && err.message === 'to: is not a valid phone number',
  );
});

test('parsePhone keeps its per-provider default region (ID unless given)', () => {
  assert.equal(parsePhone('081234567890').e164, '+6281234567890');
  assert.equal(parsePhone('912345123', 'CL').e164, '+56912345123');
});
