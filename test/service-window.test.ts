// The WhatsApp customer-service window (issue #19): a step with a session text and a template
// sends the template until the customer writes, then the text; a text alone outside the window
// is not sent and falls to SMS with reason outside_service_window.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MessageResult } from '../workflows/types.js';
import { recordHistory } from './helpers/histories.js';
import { scriptedNumber, sendRequests, sameNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';

const auth = { authorization: 'Bearer dev-key' };
const both = {
  channel: 'whatsapp',
  provider: 'wappin',
  text: 'Hi Ana, your order A-1 shipped',
  template: 'order_shipped',
  params: ['A-1'],
};
const textOnly = { channel: 'whatsapp', provider: 'wappin', text: 'Hi Ana, anything else?' };
const sms = { channel: 'sms', provider: 'sms-masking', text: 'Order A-1 shipped' };

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** The Wappin endpoints that got a send for this number: do-send-hsm (template) or do-send (session text). */
const wappinPaths = (to: string) =>
  sendRequests(stack.sandboxes, 'wappin')
    .filter((r) => sameNumber(r.recipient, to))
    .map((r) => r.path.split('/').at(-1));

async function send(to: string, steps: object[], history?: string): Promise<MessageResult> {
  const res = await stack.api.inject({ method: 'POST', url: '/v1/messages', headers: auth, payload: { to, steps } });
  assert.equal(res.statusCode, 202, res.body);
  const handle = stack.client.workflow.getHandle(res.json<{ id: string }>().id);
  const result = (await handle.result()) as MessageResult;
  if (history) await recordHistory(handle, history);
  return result;
}

const window = async (to: string) =>
  (
    await stack.api.inject({ method: 'GET', url: `/v1/contacts/${encodeURIComponent(to)}/window`, headers: auth })
  ).json<{ providers: Array<{ provider: string; open: boolean; closesAt: string | null }> }>();

describe('WhatsApp customer-service window', () => {
  test('the template outside the window, the session text once the customer wrote', async () => {
    const to = scriptedNumber();
    assert.equal((await window(to)).providers.find((p) => p.provider === 'wappin')?.open, false);
    const outside = await send(to, [both]);
    assert.equal(outside.attempts[0]?.form, 'template');
    assert.deepEqual(wappinPaths(to), ['do-send-hsm']);

    const res = await fetch(`${stack.sandboxes.urls.wappin}/__sandbox/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: to.slice(1), text: 'where is my order?' }),
    });
    assert.equal(res.status, 200);
    const open = await eventually(
      async () => (await window(to)).providers.find((p) => p.provider === 'wappin' && p.open),
      15_000,
      'the window to open',
    );
    assert.ok(Date.parse(open.closesAt!) > Date.now() + 23 * 3_600_000, 'open for about 24 hours');
    const inside = await send(to, [both], 'message-service-window-session');
    assert.equal(inside.attempts[0]?.form, 'session');
    assert.deepEqual(wappinPaths(to), ['do-send-hsm', 'do-send']);
  });

  test('a text alone outside the window is not sent: SMS goes, with the reason', async () => {
    const to = scriptedNumber();
    const result = await send(to, [textOnly, sms], 'message-outside-service-window');
    assert.equal(result.attempts[0]?.fallback?.reason, 'outside_service_window');
    assert.match(result.attempts[0]?.error?.message ?? '', /never wrote/);
    assert.equal(result.outcome, 'delivered');
    assert.equal(result.attempts[1]?.channel, 'sms');
    assert.deepEqual(wappinPaths(to), []);
  });

  test('only a WhatsApp step may carry a text and a template', async () => {
    const res = await stack.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth,
      payload: { to: scriptedNumber(), steps: [{ ...sms, template: 'x' }] },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /exactly one of template, text or media/);
  });
});
