// The SMS encoder at its boundaries: GSM-7 single and concatenated, extension characters counting
// two and never split, UCS-2 with surrogate pairs never split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsLayout } from './sms-encoding.js';

const layout = (text: string) => {
  const l = smsLayout(text);
  return [l.encoding, l.characters, l.parts, l.perPart];
};

test('GSM-7: 160 in one SMS, then 153 a part', () => {
  assert.deepEqual(layout(''), ['GSM-7', 0, 0, 160]);
  assert.deepEqual(layout('Kode OTP Anda: 123456. Jangan berikan ke siapa pun.'), ['GSM-7', 51, 1, 160]);
  assert.deepEqual(layout('a'.repeat(160)), ['GSM-7', 160, 1, 160]);
  assert.deepEqual(layout('a'.repeat(161)), ['GSM-7', 161, 2, 153]);
  assert.deepEqual(layout('a'.repeat(306)), ['GSM-7', 306, 2, 153]);
  assert.deepEqual(layout('a'.repeat(307)), ['GSM-7', 307, 3, 153]);
  assert.deepEqual(layout('ÄÖÑÜ§¿äöñüà@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡¤\r\n'), ['GSM-7', 44, 1, 160]);
});

test('GSM-7 extension characters take two septets and are not split across parts', () => {
  assert.deepEqual(layout('€'.repeat(80)), ['GSM-7', 160, 1, 160]);
  assert.deepEqual(layout('€'.repeat(81)), ['GSM-7', 162, 2, 153]);
  assert.deepEqual(layout('[]{}~^|\\'), ['GSM-7', 16, 1, 160]);
  // 152 septets leave one in the first part: the € (two) starts the second.
  assert.deepEqual(layout(`${'a'.repeat(152)}€${'a'.repeat(153)}`), ['GSM-7', 307, 3, 153]);
  assert.deepEqual(layout(`${'a'.repeat(151)}€${'a'.repeat(153)}`), ['GSM-7', 306, 2, 153]);
});

test('UCS-2: one character outside the alphabet makes the whole text 70, then 67 a part', () => {
  assert.deepEqual(layout('ê'.repeat(70)), ['UCS-2', 70, 1, 70]);
  assert.deepEqual(layout('ê'.repeat(71)), ['UCS-2', 71, 2, 67]);
  assert.deepEqual(layout(`${'a'.repeat(133)}ê`), ['UCS-2', 134, 2, 67]);
  assert.deepEqual(layout(`${'a'.repeat(134)}ê`), ['UCS-2', 135, 3, 67]);
  assert.deepEqual(smsLayout('Halo 👋 ça va').unicodeCharacters, ['👋', 'ç']);
});

test('UCS-2 surrogate pairs count two units and are not split across parts', () => {
  assert.deepEqual(layout('😀'.repeat(35)), ['UCS-2', 70, 1, 70]);
  assert.deepEqual(layout('😀'.repeat(36)), ['UCS-2', 72, 2, 67]);
  assert.deepEqual(layout('😀'.repeat(66)), ['UCS-2', 132, 2, 67]);
  // 134 units would fit two parts of 67 if pairs could split; 33 pairs fit a part.
  assert.deepEqual(layout('😀'.repeat(67)), ['UCS-2', 134, 3, 67]);
});
