// Quiet hours, per-recipient messages and outcome mapping of the campaign workflow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageFor, outcomeOf, quietUntil } from './campaign-logic.js';
import type { MessageResult } from './types.js';

const at = (iso: string) => Date.parse(iso);

test('quiet hours: inside a window spanning midnight, release at its end in the recipient zone', () => {
  const win = { start: '21:00', end: '08:00' };
  // 23:30 in Jakarta (UTC+7) → released at 08:00 Jakarta = 01:00 UTC.
  assert.equal(quietUntil(at('2026-01-10T16:30:00Z'), 'Asia/Jakarta', win), at('2026-01-11T01:00:00Z'));
  // 07:59:30 Jakarta → 30 s left.
  assert.equal(quietUntil(at('2026-01-11T00:59:30Z'), 'Asia/Jakarta', win), at('2026-01-11T01:00:00Z'));
  // 12:00 Jakarta: outside.
  assert.equal(quietUntil(at('2026-01-11T05:00:00Z'), 'Asia/Jakarta', win), undefined);
  // Seconds precision: 10:00:00–10:00:05 UTC.
  assert.equal(
    quietUntil(at('2026-01-11T10:00:02.400Z'), 'UTC', { start: '10:00:00', end: '10:00:05' }),
    at('2026-01-11T10:00:05Z'),
  );
});

test('messageFor fills template params and {{n}} placeholders; outcomeOf maps fallbacks', () => {
  const m = messageFor(
    {
      steps: [
        { channel: 'whatsapp', provider: 'wappin', template: 't', params: ['default'] },
        { channel: 'sms', provider: 'sms-masking', text: 'Hi {{1}}, order {{2}} {{3}}' },
      ],
    },
    { recipientId: 3, phone: '+6281100000000', params: ['Ana', 'A-1'] },
    'c:3',
  );
  assert.deepEqual(m.steps[0]?.params, ['Ana', 'A-1']);
  assert.equal(m.steps[1]?.text, 'Hi Ana, order A-1 {{3}}');
  assert.equal(m.reference, 'c:3');
  const attempts: MessageResult['attempts'] = [
    {
      step: 0,
      channel: 'whatsapp',
      provider: 'wappin',
      state: 'done',
      timeline: [],
      fallback: { reason: 'invalid_number', at: '' },
    },
    { step: 1, channel: 'sms', provider: 'sms-masking', state: 'done', timeline: [] },
  ];
  const fell = outcomeOf(3, { outcome: 'delivered', deliveredBy: 'sms-masking', attempts });
  // The attempts go with the outcome: GET /v1/messages/<campaign>:<recipient> answers from them.
  assert.deepEqual(fell, {
    recipientId: 3,
    status: 'fell_back',
    outcome: 'delivered',
    provider: 'sms-masking',
    fallbackUsed: true,
    attempts,
  });
  assert.equal(outcomeOf(4, { outcome: 'invalid_number', attempts: [] }).status, 'invalid_number');
  assert.equal(outcomeOf(5, { outcome: 'read', deliveredBy: 'wappin', attempts: [] }).status, 'read');
});
