// The message workflow end to end: real Temporal dev server, real PostgreSQL, provider sandboxes
// over HTTP sending real callbacks through the API and the relay.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MessageResult } from '../workflows/types.js';
import type { MessageInputRaw } from '../schemas/message.js';
import { scriptedNumber } from './helpers/numbers.js';
import { eventually, startStack, type Stack } from './helpers/stack.js';
import { sendsTo } from './helpers/worker-process.js';
import { recordHistory } from './helpers/histories.js';

const wa = (extra: object = {}) => ({
  channel: 'whatsapp' as const,
  provider: 'wappin' as const,
  template: 'order_shipped',
  params: ['A-1'],
  ...extra,
});
const sms = { channel: 'sms' as const, provider: 'sms-masking' as const, text: 'Order A-1 shipped' };

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

const sends = (provider: string, to: string) => sendsTo(stack, provider, to);

async function run(input: MessageInputRaw, name?: string): Promise<MessageResult> {
  const id = await stack.send(input);
  const handle = stack.client.workflow.getHandle(id);
  const result = (await handle.result()) as MessageResult;
  if (name) await recordHistory(handle, name);
  return result;
}

describe('message workflow', () => {
  test('read on WhatsApp: no SMS', async () => {
    const to = scriptedNumber('000');
    const r = await run(
      { to, steps: [wa(), sms], fallback: { notReadWithin: '30 seconds' } },
      'message-read-on-whatsapp',
    );
    assert.equal(r.outcome, 'read');
    assert.equal(r.deliveredBy, 'wappin');
    assert.equal(r.attempts.length, 1);
    assert.equal(sends('sms-masking', to), 0);
    assert.equal(sends('wappin', to), 1);
  });

  test('Wappin 601 invalid number: SMS at once', async () => {
    const to = scriptedNumber('601');
    const r = await run({ to, steps: [wa(), sms] }, 'message-invalid-number');
    assert.equal(r.attempts[0]?.status, 'invalid_number');
    assert.equal(r.attempts[0]?.fallback?.reason, 'invalid_number');
    assert.equal(r.attempts[0]?.error?.type, 'InvalidNumberError');
    assert.equal(r.deliveredBy, 'sms-masking');
    // SMS has no read receipts: delivered is its best outcome.
    assert.equal(r.outcome, 'delivered');
    assert.equal(sends('sms-masking', to), 1);
  });

  test('delivered but not read within N: SMS', async () => {
    const to = scriptedNumber('604');
    const r = await run({ to, steps: [wa(), sms], fallback: { notReadWithin: '3 seconds' } }, 'message-not-read');
    assert.equal(r.attempts[0]?.status, 'delivered');
    assert.equal(r.attempts[0]?.fallback?.reason, 'not_read');
    const waited = Date.parse(r.attempts[0].fallback.at) - Date.parse(r.attempts[0].deliveredAt!);
    assert.ok(waited >= 2_900, `fell back ${waited} ms after delivered, expected about 3 s`);
    assert.equal(r.deliveredBy, 'sms-masking');
  });

  test('a read rule does not move a delivered SMS to another SMS; the outcome names the step that delivered', async () => {
    const to = scriptedNumber('601');
    const second = { ...sms, text: 'Order A-1 shipped (second SMS)' };
    const r = await run(
      { to, steps: [wa(), sms, second], fallback: { notReadWithin: '5 seconds' } },
      'message-channel-rules',
    );
    assert.equal(r.attempts.length, 2, 'no third step');
    assert.equal(sends('sms-masking', to), 1, 'one paid SMS');
    assert.equal(r.outcome, 'delivered');
    assert.equal(r.step, 1);
    assert.equal(r.deliveredBy, 'sms-masking');
    assert.deepEqual(
      r.attempts[1]?.skippedRules?.map((s) => s.rule),
      ['notReadWithin'],
    );
    assert.equal(r.attempts[0]?.skippedRules, undefined, 'WhatsApp reports reads: the rule applied there');
  });

  test("EngageLab's own whatsapp|sms strategy: an invalid WhatsApp leg sends no kurir fallback", async () => {
    const to = scriptedNumber('601'); // WhatsApp leg: target_invalid; SMS leg: delivered
    const engagelab = {
      channel: 'whatsapp' as const,
      provider: 'engagelab' as const,
      template: 'kurir-otp',
      params: [],
    };
    const r = await run({ to, steps: [engagelab, sms], fallback: { notDeliveredWithin: '30 seconds' } });
    assert.equal(r.attempts.length, 1, 'no step of our own after the invalid leg');
    assert.deepEqual(r.attempts[0]?.legs, ['whatsapp', 'sms']);
    assert.equal(r.attempts[0]?.legChannel, 'sms');
    assert.equal(r.outcome, 'delivered');
    assert.equal(sends('sms-masking', to), 0);
    assert.ok(
      r.attempts[0].timeline.some((e) => e.status === 'invalid_number' && e.channel === 'whatsapp' && !e.applied),
    );
  });

  test('a timed rule looks the status up first: no fallback when the lookup says read', async () => {
    const to = scriptedNumber('606');
    const r = await run(
      { to, steps: [wa(), sms], fallback: { notReadWithin: '3 seconds' }, pollAfter: '1 minute' },
      'message-reconcile',
    );
    assert.equal(r.outcome, 'read');
    assert.equal(r.attempts.length, 1);
    assert.equal(sends('sms-masking', to), 0);
    assert.deepEqual(
      r.attempts[0]?.checks?.map((c) => [c.rule, c.status, c.fellBack]),
      [['not_read', 'read', false]],
    );
    assert.ok(r.attempts[0].timeline.some((e) => e.source === 'reconcile' && e.status === 'read'));
  });

  test('a timed rule whose lookup has no news falls back, and says it checked', async () => {
    const to = scriptedNumber('605');
    const r = await run({ to, steps: [wa(), sms], fallback: { notDeliveredWithin: '2 seconds' } });
    assert.equal(r.attempts[0]?.fallback?.reason, 'not_delivered');
    assert.deepEqual(
      r.attempts[0]?.checks?.map((c) => [c.rule, c.fellBack]),
      [['not_delivered', true]],
    );
    assert.equal(sends('sms-masking', to), 1);
  });

  test('sent but not delivered within N: SMS', async () => {
    const to = scriptedNumber('605');
    const r = await run({ to, steps: [wa(), sms], fallback: { notDeliveredWithin: '2 seconds' } });
    assert.equal(r.attempts[0]?.status, 'sent');
    assert.equal(r.attempts[0]?.fallback?.reason, 'not_delivered');
    assert.equal(sends('sms-masking', to), 1);
  });

  test('delivered then read before N: no SMS, the timeline shows both', async () => {
    const to = scriptedNumber('000');
    const r = await run({ to, steps: [wa(), sms], fallback: { notReadWithin: '10 seconds' } });
    assert.equal(r.outcome, 'read');
    const statuses = new Set(r.attempts[0]!.timeline.map((e) => e.status));
    for (const s of ['sent', 'delivered', 'read'] as const) assert.ok(statuses.has(s), `${s} in the timeline`);
    assert.ok(r.attempts[0]!.deliveredAt! <= r.attempts[0]!.readAt!, 'delivered before read');
    assert.equal(sends('sms-masking', to), 0);
  });

  test('parallel mode sends every step at once', async () => {
    const to = scriptedNumber('604');
    const r = await run({ to, mode: 'parallel', steps: [wa(), sms], trackFor: '1 minute' }, 'message-parallel');
    assert.equal(r.attempts.length, 2);
    assert.equal(sends('wappin', to), 1);
    assert.equal(sends('sms-masking', to), 1);
    assert.deepEqual(
      r.attempts.map((a) => [a.provider, a.status]),
      [
        ['wappin', 'delivered'],
        ['sms-masking', 'delivered'],
      ],
    );
    assert.equal(r.outcome, 'delivered');
  });

  test('precheck skips a channel whose number is invalid without sending', async () => {
    const to = scriptedNumber('601');
    const r = await run({ to, precheck: true, steps: [wa(), sms] }, 'message-precheck');
    assert.equal(r.attempts[0]?.state, 'skipped');
    assert.equal(r.attempts[0]?.status, 'invalid_number');
    assert.equal(r.attempts[0]?.timeline[0]?.source, 'precheck');
    assert.equal(sends('wappin', to), 0);
    assert.equal(r.deliveredBy, 'sms-masking');
  });

  test('callbacks that arrive before the send answer are applied', async () => {
    const to = scriptedNumber('609');
    const r = await run(
      { to, steps: [wa(), sms], fallback: { notReadWithin: '20 seconds' } },
      'message-early-callbacks',
    );
    assert.equal(r.outcome, 'read');
    assert.ok(r.attempts[0]!.timeline.some((e) => e.source === 'callback'));
  });

  test('duplicated and reversed callbacks end in the same status, each once', async () => {
    const to = scriptedNumber('608');
    const r = await run({ to, steps: [wa(), sms], fallback: { notReadWithin: '20 seconds' } });
    assert.equal(r.outcome, 'read');
    // The sandbox posts read, read, delivered, delivered, sent, sent. Read ends the message, so the
    // older reports reach its timeline only if they come before the workflow closes: each status is
    // there at most once, and none that came after read changed anything.
    const t = r.attempts[0]!.timeline.filter((e) => e.source === 'callback');
    assert.deepEqual(t[0] && [t[0].status, t[0].applied], ['read', true]);
    for (const s of ['sent', 'delivered', 'read']) assert.ok(t.filter((e) => e.status === s).length <= 1, `${s} once`);
    assert.ok(t.slice(1).every((e) => !e.applied));
    // Each report was stored (a repeat once: the inbox drops an identical body), whether or not the
    // workflow was still there to take it.
    const id = r.attempts[0]!.providerMessageId!;
    const stored = async () =>
      Number(
        (
          await stack.pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM callback_inbox WHERE provider = 'wappin' AND strpos(body, $1) > 0",
            [id],
          )
        ).rows[0]!.n,
      );
    await eventually(async () => ((await stored()) >= 3 ? true : undefined), 5_000, 'three stored reports');
    assert.equal(await stored(), 3);
  });

  test('no callbacks at all: polling finds the status', async () => {
    const to = scriptedNumber('606');
    const r = await run(
      {
        to,
        steps: [wa(), sms],
        fallback: { notReadWithin: '30 seconds' },
        pollAfter: '1 second',
        pollMax: '2 seconds',
      },
      'message-polling',
    );
    assert.equal(r.outcome, 'read');
    assert.equal(r.deliveredBy, 'wappin');
    assert.ok(r.attempts[0]!.timeline.some((e) => e.source === 'poll' && e.status === 'read'));
    assert.equal(sends('sms-masking', to), 0);
  });

  test('a provider 5xx is retried and then succeeds', async () => {
    const to = scriptedNumber('607');
    const r = await run({ to, steps: [wa(), sms], fallback: { notReadWithin: '20 seconds' } });
    assert.equal(r.outcome, 'read');
    assert.equal(r.deliveredBy, 'wappin');
    assert.equal(sends('wappin', to), 2, 'one failed request and one retry');
  });

  test('cancel stops further steps', async () => {
    const to = scriptedNumber('604');
    const id = await stack.send({ to, steps: [wa(), sms], fallback: { notReadWithin: '1 minute' } });
    const handle = stack.client.workflow.getHandle(id);
    const res = await stack.api.inject({
      method: 'POST',
      url: `/v1/messages/${id}/cancel`,
      headers: { authorization: 'Bearer dev-key' },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { canceled: true });
    const r = (await handle.result()) as MessageResult;
    assert.equal(r.outcome, 'canceled');
    assert.equal(sends('sms-masking', to), 0);
  });
});
