// POST /v1/messages/preview: what each step would be sent as, without sending: SMS encoding,
// characters and parts at the boundaries, the cost from SMS_PRICES, and nothing at the sandbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StepPreview } from '../app/preview.js';
import { scriptedNumber, sendRequests } from './helpers/numbers.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ env: { SMS_PRICES: 'sms-masking=350', SMS_PRICE_CURRENCY: 'IDR' } });
});
after(async () => {
  await stack?.stop();
});

const sms = (text: string) => ({ channel: 'sms', provider: 'sms-masking', text });

async function preview(steps: object[]) {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/messages/preview',
    headers: { authorization: 'Bearer dev-key' },
    payload: { to: scriptedNumber(), steps },
  });
  return { status: res.statusCode, body: res.json<{ steps: StepPreview[]; message?: string }>() };
}

describe('message preview', () => {
  test('SMS parts at the GSM-7, extension and UCS-2 boundaries, with their cost; nothing is sent', async () => {
    const before = sendRequests(stack.sandboxes, 'sms-masking').length;
    const texts: Array<[string, string, number, number]> = [
      ['a'.repeat(160), 'GSM-7', 160, 1],
      ['a'.repeat(161), 'GSM-7', 161, 2],
      ['€'.repeat(80), 'GSM-7', 160, 1],
      ['€'.repeat(81), 'GSM-7', 162, 2],
      ['ê'.repeat(70), 'UCS-2', 70, 1],
      ['ê'.repeat(71), 'UCS-2', 71, 2],
    ];
    for (const [text, encoding, characters, parts] of texts) {
      const { status, body } = await preview([sms(text)]);
      assert.equal(status, 200);
      const step = body.steps[0]!;
      assert.deepEqual(
        [step.encoding, step.characters, step.parts, step.cost],
        [encoding, characters, parts, { amount: 350 * parts, currency: 'IDR' }],
        `${text.length} × ${text[0]}`,
      );
    }
    assert.equal(sendRequests(stack.sandboxes, 'sms-masking').length, before, 'a preview sends nothing');
  });

  test('a WhatsApp template and text are not split; a provider without a price has no cost', async () => {
    const { body } = await preview([
      { channel: 'whatsapp', provider: 'wappin', template: 'order_shipped', params: ['A-1'] },
      { channel: 'whatsapp', provider: 'itd', text: 'Halo 👋' },
      { channel: 'sms', provider: 'wappin', text: 'Halo' },
    ]);
    assert.deepEqual(
      body.steps.map((s) => [s.body, s.template, s.encoding, s.parts, s.cost]),
      [
        ['template', 'order_shipped', null, null, null],
        ['text', null, null, null, null],
        ['text', null, 'GSM-7', 1, null],
      ],
    );
    assert.equal(body.steps[1]!.characters, 6);
  });

  test('an invalid message is a 400 naming the field', async () => {
    const { status, body } = await preview([{ channel: 'sms', provider: 'itd', text: 'x' }]);
    assert.equal(status, 400);
    assert.match(body.message ?? '', /provider/);
  });
});
